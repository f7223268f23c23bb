using System.Globalization;
using AgentDsl.Ir;

namespace AgentDsl.Planning.Placement;

/// <summary>
/// Per-request placement minimising latency under the current load: HEFT (Topcuoglu et al.) with
/// insertion. Nodes are taken by upward rank (average cost to the exit); each goes to the device giving
/// the earliest finish, counting transfers from its inputs' devices, the device's current backlog, and
/// idle gaps left between already-placed work. Memory is a hard constraint.
/// </summary>
public sealed class HeftPlanner
{
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
        var busy = devices.Select(_ => new List<(double Start, double End)>()).ToArray();
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

        var result = Schedule.Evaluate(graph, devices, costs, placement, order);
        return PlanChecks.CheckSla(graph, devices, costs, result, slaSeconds);
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
