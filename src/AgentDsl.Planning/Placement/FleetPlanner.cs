using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Planning.Placement;

/// <summary>A fleet: device counts per type, where each node runs, and what it costs per hour and per request.</summary>
public sealed record Fleet(string Name, PlanResult Plan, IReadOnlyDictionary<string, int> Devices, double UsdPerHour, double UsdPerRequest, double P50Seconds, double P99Seconds)
{
    /// <summary>Whether the fleet meets the SLA (the plan is feasible).</summary>
    public bool Feasible => Plan.Feasible;
}

/// <summary>Heterogeneous and homogeneous fleets for one graph at one request rate.</summary>
public sealed record FleetComparison(Fleet Heterogeneous, IReadOnlyList<Fleet> Homogeneous)
{
    /// <summary>The cheapest feasible fleet.</summary>
    public Fleet? Best => new[] { Heterogeneous }.Concat(Homogeneous).Where(f => f.Feasible).MinBy(f => f.UsdPerHour);
}

/// <summary>
/// Chooses where each operator runs and how many devices of each type to deploy so that a target request
/// rate is served within the SLA at minimum TCO: the cost planner picks a device type per node (cheapest
/// within the latency SLA, each node costed at its type's hourly TCO), then each type gets enough devices to
/// keep its utilisation under the target; the same is done with one device type at a time, for comparison.
/// Tail latency is estimated by simulating M/M/c queueing (one pooled queue per device type) at each node of the critical path.
/// </summary>
public sealed class FleetPlanner(IPlacementCosts costs)
{
    /// <summary>Highest utilisation a device type is planned at. Default 0.7.</summary>
    public double TargetUtilization { get; init; } = 0.7;

    /// <summary>Plans heterogeneous and homogeneous fleets.</summary>
    public FleetComparison Plan(GraphDefinition graph, IReadOnlyList<(DeviceSpec Spec, double HourlyCost)> types, double requestsPerSecond, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        var heterogeneous = Build("heterogeneous", graph, [.. types.Select(t => new PlanDevice(t.Spec.Name, t.Spec) { HourlyCost = t.HourlyCost })], requestsPerSecond, slaSeconds);
        var homogeneous = types
            .Select(t => Build(t.Spec.Name + " only", graph, [new PlanDevice(t.Spec.Name, t.Spec) { HourlyCost = t.HourlyCost }], requestsPerSecond, slaSeconds))
            .ToList();
        return new FleetComparison(heterogeneous, homogeneous);
    }

    private Fleet Build(string name, GraphDefinition graph, IReadOnlyList<PlanDevice> types, double rate, double? sla)
    {
        var plan = new CostPlanner().Plan(graph, types, costs, sla).Best;
        if (plan.Nodes.Count == 0)
        {
            return new Fleet(name, plan, new Dictionary<string, int>(), double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);
        }

        var busy = plan.Nodes.GroupBy(n => n.Device).ToDictionary(g => g.Key, g => g.Sum(n => n.Seconds));
        var counts = busy.ToDictionary(b => b.Key, b => Math.Max(1, (int)Math.Ceiling(rate * b.Value / TargetUtilization)));
        double perHour = counts.Sum(c => c.Value * types.Single(t => t.Name == c.Key).HourlyCost);
        var jobs = plan.Nodes.GroupBy(n => n.Device).ToDictionary(g => g.Key, g => g.Count());
        var queues = busy.ToDictionary(b => b.Key, b => Queue(rate, b.Value, jobs[b.Key], counts[b.Key]));
        var (p50, p99) = Quantiles(plan, queues);
        return new Fleet(name, plan, counts, perHour, perHour / 3600 / rate, p50, p99);
    }

    /// <summary>
    /// M/M/c per device type (the type's devices serve one pooled queue): the probability that a job waits
    /// (Erlang C) and the mean wait of a job that does, <c>s̄ / (c − a)</c>, with offered load <c>a = λ · busy</c>.
    /// </summary>
    internal static (double WaitProbability, double MeanWaitIfWaiting) Queue(double rate, double busySecondsPerRequest, int jobsPerRequest, int servers)
    {
        double a = rate * busySecondsPerRequest;
        if (a <= 0)
        {
            return (0, 0);
        }

        if (a >= servers)
        {
            return (1, double.PositiveInfinity);
        }

        // Erlang C via the stable recurrence of Erlang B.
        double b = 1;
        for (int k = 1; k <= servers; k++)
        {
            b = a * b / (k + (a * b));
        }

        double c = servers * b / (servers - (a * (1 - b)));
        double meanService = busySecondsPerRequest / jobsPerRequest;
        return (c, meanService / (servers - a));
    }

    /// <summary>p50 and p99 of the critical path's latency with M/M/c waiting at each node (seeded Monte Carlo, 20,000 samples).</summary>
    private static (double P50, double P99) Quantiles(PlanResult plan, IReadOnlyDictionary<string, (double WaitProbability, double MeanWaitIfWaiting)> queues)
    {
        var path = plan.CriticalPath.Select(name => plan.Nodes.First(n => n.Node == name)).ToList();
        var rng = new Random(12345);
        var samples = new double[20_000];
        for (int i = 0; i < samples.Length; i++)
        {
            double total = plan.LatencySeconds;
            foreach (var node in path)
            {
                var (p, mean) = queues[node.Device];
                if (rng.NextDouble() < p)
                {
                    total += -Math.Log(1 - rng.NextDouble()) * mean; // exponential wait, given a wait
                }
            }

            samples[i] = total;
        }

        Array.Sort(samples);
        return (samples[samples.Length / 2], samples[(int)(samples.Length * 0.99)]);
    }
}
