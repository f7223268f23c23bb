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
        var busy = NewBusy(devices.Count);
        int[] sequence = order is null ? [.. graph.TopologicalOrder] : [.. order];
        var (makespan, total) = Run(graph, new DirectCosts(graph, devices, costs), placement, sequence, start, finish, cause, busy);
        return new PlanResult
        {
            Nodes = [.. Enumerable.Range(0, n).Select(i => new NodePlacement(i, graph.Nodes[i].Name, devices[placement[i]].Name, start[i], finish[i], costs.Cost(graph.Nodes[i], devices[placement[i]])))],
            LatencySeconds = makespan,
            Cost = total,
            CriticalPath = CriticalPath(graph, finish, cause),
        };
    }

    /// <summary>One empty busy list per device.</summary>
    public static List<(double Start, double End)>[] NewBusy(int devices) => [.. Enumerable.Range(0, devices).Select(_ => new List<(double Start, double End)>())];

    /// <summary>
    /// The list schedule itself, the one definition used by <see cref="Evaluate"/> and by the planners' refinement: nodes
    /// claim their devices in <paramref name="order"/>; each starts once every predecessor's result has arrived (its finish
    /// plus the transfer between the two devices) and its device has an idle gap long enough. Fills start, finish and the
    /// predecessor that made each node wait (−1: its device); returns the makespan and the price (nodes plus transfers).
    /// The buffers are reused; the <paramref name="busy"/> lists are cleared first.
    /// </summary>
    public static (double Makespan, double Cost) Run<TCosts>(GraphDefinition graph, TCosts costs, int[] placement, int[] order,
        double[] start, double[] finish, int[] cause, List<(double Start, double End)>[] busy)
        where TCosts : IScheduleCosts
    {
        foreach (var list in busy)
        {
            list.Clear();
        }

        double total = 0, makespan = 0;
        foreach (int id in order)
        {
            int device = placement[id];
            double ready = costs.ReadyAt(device);
            cause[id] = -1;
            foreach (int p in graph.PredecessorsOf(id))
            {
                double arrive = finish[p] + costs.TransferSeconds(p, placement[p], device);
                total += costs.TransferCost(p, placement[p], device);
                if (arrive >= ready)
                {
                    ready = arrive;
                    cause[id] = p;
                }
            }

            double duration = costs.Seconds(id, device);
            start[id] = Insert(busy[device], ready, duration);
            finish[id] = start[id] + duration;
            makespan = Math.Max(makespan, finish[id]);
            total += costs.Cost(id, device);
        }

        return (makespan, total);
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

/// <summary>Times and prices by node and device index, as <see cref="Schedule.Run{TCosts}"/> reads them.</summary>
internal interface IScheduleCosts
{
    /// <summary>When the device is free of earlier work.</summary>
    double ReadyAt(int device);

    /// <summary>The node's time on the device.</summary>
    double Seconds(int node, int device);

    /// <summary>The node's price on the device.</summary>
    double Cost(int node, int device);

    /// <summary>Moving the producer's result between two devices.</summary>
    double TransferSeconds(int producer, int from, int to);

    /// <summary>The price of that move.</summary>
    double TransferCost(int producer, int from, int to);
}

/// <summary>Asks <see cref="IPlacementCosts"/> on every call (one evaluation of a large graph).</summary>
internal readonly struct DirectCosts(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs) : IScheduleCosts
{
    public double ReadyAt(int device) => devices[device].ReadyAt;

    public double Seconds(int node, int device) => costs.Seconds(graph.Nodes[node], devices[device]);

    public double Cost(int node, int device) => costs.Cost(graph.Nodes[node], devices[device]);

    public double TransferSeconds(int producer, int from, int to) => costs.TransferSeconds(graph.Nodes[producer], devices[from], devices[to]);

    public double TransferCost(int producer, int from, int to) => costs.TransferCost(graph.Nodes[producer], devices[from], devices[to]);
}

/// <summary>
/// Every figure of <see cref="IPlacementCosts"/> computed once (n × devices², for the small graphs that are evaluated
/// many times over: the refinement re-schedules the whole graph for each move it tries).
/// </summary>
internal sealed class CostTable : IScheduleCosts
{
    private readonly double[] _ready;
    private readonly double[,] _seconds;
    private readonly double[,] _cost;
    private readonly double[,,] _transferSeconds;
    private readonly double[,,] _transferCost;

    public CostTable(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, double[,] seconds)
    {
        int n = graph.Nodes.Length, m = devices.Count;
        _ready = [.. devices.Select(d => d.ReadyAt)];
        _seconds = seconds;
        _cost = new double[n, m];
        _transferSeconds = new double[n, m, m];
        _transferCost = new double[n, m, m];
        for (int i = 0; i < n; i++)
        {
            var node = graph.Nodes[i];
            for (int a = 0; a < m; a++)
            {
                _cost[i, a] = double.IsPositiveInfinity(seconds[i, a]) ? double.PositiveInfinity : costs.Cost(node, devices[a]);
                for (int b = 0; b < m; b++)
                {
                    _transferSeconds[i, a, b] = costs.TransferSeconds(node, devices[a], devices[b]);
                    _transferCost[i, a, b] = costs.TransferCost(node, devices[a], devices[b]);
                }
            }
        }
    }

    public double ReadyAt(int device) => _ready[device];

    public double Seconds(int node, int device) => _seconds[node, device];

    public double Cost(int node, int device) => _cost[node, device];

    public double TransferSeconds(int producer, int from, int to) => _transferSeconds[producer, from, to];

    public double TransferCost(int producer, int from, int to) => _transferCost[producer, from, to];
}
