using AgentDsl.Ir;

namespace AgentDsl.Planning.Placement;

/// <summary>Evaluates a fixed placement: list scheduling in node order, transfers, costs, critical path.</summary>
public static class PlanEvaluator
{
    /// <summary>Schedules <paramref name="graph"/> with node i on <c>devices[placement[i]]</c>; checks the SLA (the graph's, or <paramref name="slaSeconds"/>).</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="devices">The devices.</param>
    /// <param name="costs">Times and prices.</param>
    /// <param name="placement">Device index per node.</param>
    /// <param name="slaSeconds">SLA override.</param>
    /// <param name="order">The order nodes claim their devices (a topological order); node id order by default.</param>
    public static PlanResult Evaluate(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, int[] placement, double? slaSeconds = null, IEnumerable<int>? order = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentNullException.ThrowIfNull(placement);
        return PlanChecks.CheckSla(graph, devices, costs, Schedule.Evaluate(graph, devices, costs, placement, order), slaSeconds);
    }

    /// <summary>The critical-path lower bound (each node on its fastest fitting device, free transfers) and that path.</summary>
    public static (double Seconds, IReadOnlyList<string> Path) LowerBound(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs) =>
        Schedule.LowerBound(graph, devices, costs);
}

/// <summary>List scheduling of a graph with every node's device fixed: start = max(inputs arrived, device free), with insertion into idle gaps.</summary>
internal static class Schedule
{
    public static PlanResult Evaluate(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, int[] placement, IEnumerable<int>? order = null)
    {
        int n = graph.Nodes.Length;
        var start = new double[n];
        var finish = new double[n];
        var cause = new int[n];
        var busy = devices.Select(_ => new List<(double Start, double End)>()).ToArray();
        double total = 0;
        foreach (int id in order ?? graph.TopologicalOrder)
        {
            var node = graph.Nodes[id];
            var device = devices[placement[id]];
            double ready = device.ReadyAt;
            cause[id] = -1;
            foreach (int p in graph.PredecessorsOf(id))
            {
                var from = devices[placement[p]];
                double arrive = finish[p] + costs.TransferSeconds(graph.Nodes[p], from, device);
                total += costs.TransferCost(graph.Nodes[p], from, device);
                if (arrive >= ready)
                {
                    ready = arrive;
                    cause[id] = p;
                }
            }

            double duration = costs.Seconds(node, device);
            start[id] = Insert(busy[placement[id]], ready, duration);
            finish[id] = start[id] + duration;
            total += costs.Cost(node, device);
        }

        double makespan = n == 0 ? 0 : finish.Max();
        return new PlanResult
        {
            Nodes = [.. Enumerable.Range(0, n).Select(i => new NodePlacement(i, graph.Nodes[i].Name, devices[placement[i]].Name, start[i], finish[i], costs.Cost(graph.Nodes[i], devices[placement[i]])))],
            LatencySeconds = makespan,
            Cost = total,
            CriticalPath = CriticalPath(graph, finish, cause),
        };
    }

    /// <summary>Earliest start ≥ <paramref name="ready"/> in an idle gap of at least <paramref name="duration"/>; records the interval.</summary>
    public static double Insert(List<(double Start, double End)> busy, double ready, double duration, bool commit = true)
    {
        double candidate = ready;
        int index = FirstEndingAfter(busy, ready);
        int at = busy.Count;
        for (int i = index; i < busy.Count; i++)
        {
            if (busy[i].Start - candidate >= duration - 1e-15)
            {
                at = i;
                break;
            }

            candidate = Math.Max(candidate, busy[i].End);
        }

        if (commit && duration > 0)
        {
            busy.Insert(at, (candidate, candidate + duration));
        }

        return candidate;
    }

    private static int FirstEndingAfter(List<(double Start, double End)> busy, double t)
    {
        int lo = 0, hi = busy.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (busy[mid].End <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public static IReadOnlyList<string> CriticalPath(GraphDefinition graph, double[] finish, int[] cause)
    {
        if (finish.Length == 0)
        {
            return [];
        }

        int last = Array.IndexOf(finish, finish.Max());
        var path = new List<string>();
        for (int id = last; id >= 0; id = cause[id])
        {
            path.Add(graph.Nodes[id].Name);
        }

        path.Reverse();
        return path;
    }

    /// <summary>The critical-path lower bound: the longest path with each node at its fastest fitting device and free transfers.</summary>
    public static (double Seconds, IReadOnlyList<string> Path) LowerBound(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs)
    {
        var path = graph.CriticalPath(id =>
        {
            var node = graph.Nodes[id];
            return devices.Where(d => costs.Fits(node, d)).Select(d => costs.Seconds(node, d)).DefaultIfEmpty(double.PositiveInfinity).Min();
        });
        return (path.Seconds, [.. path.Nodes.Select(id => graph.Nodes[id].Name)]);
    }
}
