using System.Globalization;
using AgentDsl.Ir;

namespace AgentDsl.Planning.Placement;

/// <summary>
/// Per-request placement minimising latency under the current load: HEFT (Topcuoglu et al.) with
/// insertion. Nodes are taken by upward rank (average cost to the exit); each goes to the device giving
/// the earliest finish, counting transfers from its inputs' devices, the device's current backlog, and
/// idle gaps left between already-placed work. Memory is a hard constraint. On graphs small enough for
/// <see cref="RefinementBudget"/>, the HEFT placement is then refined by single-node moves (a node to another
/// device, or two nodes trading devices, kept when the whole schedule gets shorter, or as short and cheaper) until no move helps: HEFT decides
/// each node once, greedily, and on graphs with guards and fan-outs that alone leaves it 7.5 % above the optimum
/// on average (docs/benchmarks.md).
/// </summary>
public sealed class HeftPlanner
{
    /// <summary>The default <see cref="RefinementBudget"/>: 250,000 node schedulings (a few milliseconds).</summary>
    public const int DefaultRefinementBudget = 250_000;

    /// <summary>
    /// Work allowed for refining the HEFT placement, in node schedulings: one move tried re-schedules the whole graph
    /// (n nodes), a pass tries every node on every other device and every pair of nodes trading devices (about n² × (devices − 1) + n³ / 2). The default refines graphs up
    /// to about a hundred nodes on a few devices fully and leaves large graphs to HEFT alone; 0 turns refinement off.
    /// </summary>
    public int RefinementBudget { get; init; } = DefaultRefinementBudget;

    /// <summary>The refinement tabulates every time and transfer first (n × devices² entries); above this it is skipped.</summary>
    private const long MaxTableEntries = 1_000_000;

    /// <summary>Places every node of <paramref name="graph"/>; checks the graph's SLA (or <paramref name="slaSeconds"/>).</summary>
    public PlanResult Plan(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(costs);
        if (PlanChecks.CheckFit(graph, devices, costs) is { } memory)
        {
            return new PlanResult { Problem = memory };
        }

        int n = graph.Nodes.Length, m = devices.Count;
        var w = new double[n, m];
        var average = new double[n];
        for (int i = 0; i < n; i++)
        {
            int fitting = 0;
            for (int d = 0; d < m; d++)
            {
                bool fits = costs.Fits(graph.Nodes[i], devices[d]);
                w[i, d] = fits ? costs.Seconds(graph.Nodes[i], devices[d]) : double.PositiveInfinity;
                if (fits)
                {
                    average[i] += w[i, d];
                    fitting++;
                }
            }

            average[i] /= fitting;
        }

        // Average transfer per producer across distinct device types (one sample per type pair keeps it O(types²)).
        var types = devices.Select((d, i) => (d, i)).GroupBy(x => x.d.Spec.Name).Select(g => g.First().d).ToList();
        var averageComm = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            int pairs = 0;
            foreach (var a in types)
            {
                foreach (var b in types)
                {
                    sum += costs.TransferSeconds(graph.Nodes[i], a, b);
                    pairs++;
                }
            }

            averageComm[i] = types.Count > 1 || m > 1 ? (sum / pairs) * (m - 1) / m : 0;
        }

        var rank = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double after = 0;
            foreach (int s in graph.DependentsOf(i))
            {
                after = Math.Max(after, averageComm[i] + rank[s]);
            }

            rank[i] = average[i] + after;
        }

        var order = Enumerable.Range(0, n).OrderByDescending(i => rank[i]).ThenBy(i => i).ToArray();
        var placement = new int[n];
        var finish = new double[n];
        var busy = Schedule.NewBusy(m);
        foreach (int i in order)
        {
            var node = graph.Nodes[i];
            int best = -1;
            double bestFinish = double.PositiveInfinity, bestStart = 0, bestCost = double.PositiveInfinity;
            for (int d = 0; d < m; d++)
            {
                if (double.IsPositiveInfinity(w[i, d]))
                {
                    continue;
                }

                double ready = devices[d].ReadyAt;
                foreach (int p in graph.PredecessorsOf(i))
                {
                    ready = Math.Max(ready, finish[p] + costs.TransferSeconds(graph.Nodes[p], devices[placement[p]], devices[d]));
                }

                double start = Schedule.Insert(busy[d], ready, w[i, d], commit: false);
                double eft = start + w[i, d];
                double cost = costs.Cost(node, devices[d]);
                if (eft < bestFinish - 1e-12 || (Math.Abs(eft - bestFinish) <= 1e-12 && cost < bestCost))
                {
                    (best, bestFinish, bestStart, bestCost) = (d, eft, start, cost);
                }
            }

            placement[i] = best;
            finish[i] = bestFinish;
            Schedule.Insert(busy[best], bestStart, w[i, best]);
        }

        Refine(graph, devices, costs, w, placement, order);
        var result = Schedule.Evaluate(graph, devices, costs, placement, order);
        return PlanChecks.CheckSla(graph, devices, costs, result, slaSeconds);
    }

    /// <summary>
    /// Hill-climbing on the placement: moves one node to another device, or swaps the devices of two nodes, while that
    /// shortens the schedule (or keeps it and costs less). Swaps matter where two heavy nodes sit on the wrong devices of
    /// the right pair, which no single move can fix without first making the schedule longer.
    /// </summary>
    private void Refine(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, double[,] w, int[] placement, int[] order)
    {
        int n = graph.Nodes.Length, m = devices.Count;
        long budget = RefinementBudget;
        if (m < 2 || n == 0 || budget < (long)n * n || (long)n * m * m > MaxTableEntries)
        {
            return;
        }

        var table = new CostTable(graph, devices, costs, w);
        var start = new double[n];
        var finish = new double[n];
        var cause = new int[n];
        var busy = Schedule.NewBusy(m);
        var (best, bestCost) = Schedule.Run(graph, table, placement, order, start, finish, cause, busy);

        // Evaluates the current placement; keeps it when better, else reports false (the caller undoes its change).
        bool TryKeep()
        {
            budget -= n;
            var (latency, cost) = Schedule.Run(graph, table, placement, order, start, finish, cause, busy);
            double tolerance = 1e-9 * best;
            if (latency < best - tolerance || (latency <= best + tolerance && cost < bestCost - (1e-9 * Math.Abs(bestCost))))
            {
                (best, bestCost) = (latency, cost);
                return true;
            }

            return false;
        }

        bool improved = true;
        while (improved && budget >= n)
        {
            improved = false;
            for (int i = 0; i < n && budget >= n; i++)
            {
                for (int d = 0; d < m && budget >= n; d++)
                {
                    int keep = placement[i];
                    if (d == keep || double.IsPositiveInfinity(w[i, d]))
                    {
                        continue;
                    }

                    placement[i] = d;
                    if (TryKeep())
                    {
                        improved = true;
                    }
                    else
                    {
                        placement[i] = keep;
                    }
                }
            }

            for (int i = 0; i < n && budget >= n; i++)
            {
                for (int j = i + 1; j < n && budget >= n; j++)
                {
                    int a = placement[i], b = placement[j];
                    if (a == b || double.IsPositiveInfinity(w[i, b]) || double.IsPositiveInfinity(w[j, a]))
                    {
                        continue;
                    }

                    (placement[i], placement[j]) = (b, a);
                    if (TryKeep())
                    {
                        improved = true;
                    }
                    else
                    {
                        (placement[i], placement[j]) = (a, b);
                    }
                }
            }
        }
    }
}

/// <summary>Shared checks of the planners.</summary>
internal static class PlanChecks
{
    public static Infeasibility? CheckFit(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs)
    {
        if (devices.Count == 0)
        {
            return new Infeasibility("devices", "No devices to plan on.", 1, 0);
        }

        foreach (var node in graph.Nodes)
        {
            if (devices.Any(d => costs.Fits(node, d)))
            {
                continue;
            }

            var allowed = devices.Where(d => (node.Cost.AllowedDevices & d.Spec.Kind) != 0).ToList();
            if (allowed.Count == 0)
            {
                return new Infeasibility("device-kind",
                    $"{node.Describe()} may run on {node.Cost.AllowedDevices}, and no device is of that kind (available: {string.Join(", ", devices.Select(d => d.Spec.Kind).Distinct())}).", 1, 0);
            }

            var largest = allowed.MaxBy(d => d.Spec.MemoryBytes)!;
            double need = node.Cost.MemoryFootprintBytes;
            return new Infeasibility("memory",
                string.Create(CultureInfo.InvariantCulture, $"{node.Describe()} needs {need / 1e9:0.##} GB of device memory; the largest device, {largest.Spec.Name}, has {largest.Spec.MemoryGB:0.##} GB (short by {(need - largest.Spec.MemoryBytes) / 1e9:0.##} GB)."),
                need, largest.Spec.MemoryBytes);
        }

        return null;
    }

    public static PlanResult CheckSla(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, PlanResult result, double? slaSeconds)
    {
        double sla = slaSeconds ?? (graph.Sla.HasLatencyBound ? graph.Sla.LatencyMs / 1000 : double.PositiveInfinity);
        if (result.LatencySeconds <= sla + 1e-12)
        {
            return result;
        }

        var (bound, path) = Schedule.LowerBound(graph, devices, costs);
        string message = bound > sla + 1e-12
            ? string.Create(CultureInfo.InvariantCulture, $"The SLA of {sla * 1000:0.###} ms is below the critical path's lower bound of {bound * 1000:0.###} ms (each node on its fastest device, free transfers) along {string.Join(" → ", path)}.")
            : string.Create(CultureInfo.InvariantCulture, $"The best schedule found takes {result.LatencySeconds * 1000:0.###} ms, over the SLA of {sla * 1000:0.###} ms (the critical path's lower bound is {bound * 1000:0.###} ms along {string.Join(" → ", path)}); add devices or relax the SLA.");
        return result with { Problem = new Infeasibility("sla", message, bound > sla ? bound : result.LatencySeconds, sla) };
    }
}
