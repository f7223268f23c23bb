using System.Text.Json;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Placement;

/// <summary>
/// The paper's objective: the cheapest placement whose end-to-end latency meets the SLA. Small problems
/// are solved exactly by enumerating every placement (and every option is reported); larger ones start
/// from the HEFT placement (the fastest) and greedily move nodes to cheaper devices while the SLA holds.
/// For an exact answer on larger graphs use the CP-SAT planner (AgentDsl.Planning.OrTools).
/// </summary>
public sealed class CostPlanner
{
    /// <summary>Enumerate exhaustively up to this many placements. Default 200,000.</summary>
    public long ExhaustiveLimit { get; init; } = 200_000;

    /// <summary>Finds the cheapest placement within the SLA (the graph's, or <paramref name="slaSeconds"/>).</summary>
    public CostPlan Plan(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(costs);
        double sla = slaSeconds ?? (graph.Sla.HasLatencyBound ? graph.Sla.LatencyMs / 1000 : double.PositiveInfinity);
        if (PlanChecks.CheckFit(graph, devices, costs) is { } memory)
        {
            return new CostPlan(new PlanResult { Problem = memory }, [], Exact: true);
        }

        var candidates = graph.Nodes.Select(node => Enumerable.Range(0, devices.Count).Where(d => costs.Fits(node, devices[d])).ToArray()).ToArray();
        double combinations = candidates.Aggregate(1.0, (acc, c) => acc * c.Length);
        if (combinations <= ExhaustiveLimit)
        {
            return Exhaustive(graph, devices, costs, candidates, sla);
        }

        return Greedy(graph, devices, costs, candidates, sla);
    }

    private static CostPlan Exhaustive(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, int[][] candidates, double sla)
    {
        int n = graph.Nodes.Length;
        var choice = new int[n];
        var placement = new int[n];
        var options = new List<PlanResult>();
        PlanResult? best = null, fastest = null;
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                placement[i] = candidates[i][choice[i]];
            }

            var result = Schedule.Evaluate(graph, devices, costs, placement);
            if (options.Count < 4096)
            {
                options.Add(result);
            }

            if (fastest is null || result.LatencySeconds < fastest.LatencySeconds)
            {
                fastest = result;
            }

            if (result.LatencySeconds <= sla + 1e-12 && (best is null || result.Cost < best.Cost - 1e-15 || (Math.Abs(result.Cost - best.Cost) <= 1e-15 && result.LatencySeconds < best.LatencySeconds)))
            {
                best = result;
            }

            int k = 0;
            while (k < n && ++choice[k] == candidates[k].Length)
            {
                choice[k++] = 0;
            }

            if (k == n)
            {
                break;
            }
        }

        var chosen = best ?? PlanChecks.CheckSla(graph, devices, costs, fastest!, sla);
        return new CostPlan(chosen, options, Exact: true);
    }

    private static CostPlan Greedy(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, int[][] candidates, double sla)
    {
        var heft = new HeftPlanner().Plan(graph, devices, costs, sla);
        if (!heft.Feasible)
        {
            return new CostPlan(heft, [], Exact: false);
        }

        var index = devices.Select((d, i) => (d.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var placement = heft.Nodes.Select(p => index[p.Device]).ToArray();
        var current = heft;
        bool improved = true;
        while (improved)
        {
            improved = false;
            PlanResult? bestMove = null;
            int bestNode = -1, bestDevice = -1;
            for (int i = 0; i < placement.Length; i++)
            {
                int was = placement[i];
                foreach (int d in candidates[i])
                {
                    if (d == was || costs.Cost(graph.Nodes[i], devices[d]) >= costs.Cost(graph.Nodes[i], devices[was]))
                    {
                        continue;
                    }

                    placement[i] = d;
                    var trial = Schedule.Evaluate(graph, devices, costs, placement);
                    if (trial.LatencySeconds <= sla + 1e-12 && trial.Cost < (bestMove?.Cost ?? current.Cost) - 1e-15)
                    {
                        (bestMove, bestNode, bestDevice) = (trial, i, d);
                    }
                }

                placement[i] = was;
            }

            if (bestMove is not null)
            {
                placement[bestNode] = bestDevice;
                current = bestMove;
                improved = true;
            }
        }

        return new CostPlan(current, [], Exact: false);
    }
}

/// <summary>The cheapest plan within the SLA, the options considered (exhaustive mode), and whether it is proven optimal.</summary>
public sealed record CostPlan(PlanResult Best, IReadOnlyList<PlanResult> Options, bool Exact);

/// <summary>Placement costs given as tables (profiled times and prices), as the paper's worked example gives them.</summary>
public sealed class TableCosts : IPlacementCosts
{
    private readonly Dictionary<(string Node, string Device), (double Seconds, double Cost)> _nodes = new();
    private readonly Dictionary<(string Producer, string From, string To), (double Seconds, double Cost)> _transfers = new();

    /// <summary>Reads a cost table file (<c>agentdsl plan --costs</c>).</summary>
    /// <exception cref="CatalogException">Malformed: the message names the file, the row and the field.</exception>
    public static TableCosts Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>
    /// Parses a cost table: profiled times and per-request prices of each node on each device type, and of each transfer
    /// between two types, as the paper's worked example gives them (comments and trailing commas allowed):
    /// <c>{ "nodes": [ { "node": "prefill", "device": "HP", "ms": 80, "usd": 0.08 } ],
    /// "transfers": [ { "producer": "prefill", "from": "HP", "to": "CO", "ms": 10, "usd": 0.005 } ] }</c>.
    /// A node may run only on the device types it has a row for; a transfer without a row is free.
    /// </summary>
    /// <exception cref="CatalogException">Malformed: the message names the file, the row and the field.</exception>
    public static TableCosts Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CatalogException($"{file}({ex.LineNumber + 1},{ex.BytePositionInLine + 1})", null, null, ex.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
            {
                throw new CatalogException(file, null, "nodes", "a cost table is an object with a 'nodes' array");
            }

            var table = new TableCosts();
            int index = 0;
            foreach (var row in nodes.EnumerateArray())
            {
                string where = $"nodes[{index++}]";
                table.Node(Text(row, "node", where), Text(row, "device", where), Number(row, "ms", where) / 1000, Number(row, "usd", where));
            }

            if (root.TryGetProperty("transfers", out var transfers))
            {
                if (transfers.ValueKind != JsonValueKind.Array)
                {
                    throw new CatalogException(file, null, "transfers", "must be an array");
                }

                index = 0;
                foreach (var row in transfers.EnumerateArray())
                {
                    string where = $"transfers[{index++}]";
                    table.Transfer(Text(row, "producer", where), Text(row, "from", where), Text(row, "to", where), Number(row, "ms", where) / 1000, Number(row, "usd", where));
                }
            }

            return table;
        }

        string Text(JsonElement row, string field, string where) =>
            row.ValueKind == JsonValueKind.Object && row.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } text
                ? text
                : throw new CatalogException(file, null, where + "." + field, "required: a non-empty string");

        double Number(JsonElement row, string field, string where) =>
            row.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d) && d >= 0
                ? d
                : throw new CatalogException(file, null, where + "." + field, "required: a non-negative number");
    }

    /// <summary>Whether the table has a row for <paramref name="node"/> on any device type.</summary>
    public bool Covers(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _nodes.Keys.Any(k => k.Node == node.Name);
    }

    /// <summary>Sets a node's time and price on a device type (by <see cref="Catalog.DeviceSpec.Name"/>).</summary>
    public TableCosts Node(string node, string deviceType, double seconds, double cost)
    {
        _nodes[(node, deviceType)] = (seconds, cost);
        return this;
    }

    /// <summary>Sets the time and price of moving a producer's result between two device types.</summary>
    public TableCosts Transfer(string producer, string fromType, string toType, double seconds, double cost)
    {
        _transfers[(producer, fromType, toType)] = (seconds, cost);
        return this;
    }

    /// <inheritdoc/>
    public double Seconds(NodeDefinition node, PlanDevice device) => _nodes[(node.Name, device.Spec.Name)].Seconds;

    /// <inheritdoc/>
    public bool Fits(NodeDefinition node, PlanDevice device) => _nodes.ContainsKey((node.Name, device.Spec.Name));

    /// <inheritdoc/>
    public double Cost(NodeDefinition node, PlanDevice device) => _nodes[(node.Name, device.Spec.Name)].Cost;

    /// <inheritdoc/>
    public double TransferSeconds(NodeDefinition producer, PlanDevice from, PlanDevice to) =>
        from.Name == to.Name ? 0 : _transfers.TryGetValue((producer.Name, from.Spec.Name, to.Spec.Name), out var t) ? t.Seconds : 0;

    /// <inheritdoc/>
    public double TransferCost(NodeDefinition producer, PlanDevice from, PlanDevice to) =>
        from.Name == to.Name ? 0 : _transfers.TryGetValue((producer.Name, from.Spec.Name, to.Spec.Name), out var t) ? t.Cost : 0;
}
