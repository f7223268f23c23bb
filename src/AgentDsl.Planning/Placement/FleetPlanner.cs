using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Planning.Placement;

/// <summary>A fleet: device counts per type, where each node runs, and what it costs per hour and per request.</summary>
/// <param name="Name">The fleet's name (<c>heterogeneous</c> or <c>{type} only</c>).</param>
/// <param name="Plan">Where each node runs.</param>
/// <param name="Devices">Devices per type.</param>
/// <param name="UsdPerHour">What the fleet costs per hour.</param>
/// <param name="UsdPerRequest">What one request costs at the planned rate.</param>
/// <param name="P50Seconds">Median end-to-end latency with queueing.</param>
/// <param name="TailSeconds">End-to-end latency with queueing at <paramref name="TailPercentile"/>.</param>
/// <param name="TailPercentile">The tail's percentile as a fraction in (0, 1] (0.99 for p99).</param>
public sealed record Fleet(string Name, PlanResult Plan, IReadOnlyDictionary<string, int> Devices, double UsdPerHour, double UsdPerRequest, double P50Seconds, double TailSeconds, double TailPercentile)
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

    /// <summary>
    /// The tail percentile reported as <see cref="Fleet.TailSeconds"/>, a fraction in (0, 1]; <see langword="null"/> (the
    /// default) takes the graph's <see cref="SlaSpec.Percentile"/>, or 0.99 when the graph's is outside (0, 1].
    /// </summary>
    public double? Percentile { get; init; }

    /// <summary>Plans heterogeneous and homogeneous fleets.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a positive finite number, or <see cref="Percentile"/> is outside (0, 1].</exception>
    public FleetComparison Plan(GraphDefinition graph, IReadOnlyList<(DeviceSpec Spec, double HourlyCost)> types, double requestsPerSecond, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(types);
        if (!double.IsFinite(requestsPerSecond) || requestsPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(requestsPerSecond), requestsPerSecond, "The request rate must be a positive number of requests per second.");
        }

        if (Percentile is { } given && given is not (> 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Percentile), given, "The tail percentile must be a fraction in (0, 1].");
        }

        double percentile = Percentile ?? (graph.Sla.Percentile is > 0 and <= 1 ? graph.Sla.Percentile : 0.99);
        var heterogeneous = Build("heterogeneous", graph, [.. types.Select(t => new PlanDevice(t.Spec.Name, t.Spec) { HourlyCost = t.HourlyCost })], requestsPerSecond, slaSeconds, percentile);
        var homogeneous = types
            .Select(t => Build(t.Spec.Name + " only", graph, [new PlanDevice(t.Spec.Name, t.Spec) { HourlyCost = t.HourlyCost }], requestsPerSecond, slaSeconds, percentile))
            .ToList();
        return new FleetComparison(heterogeneous, homogeneous);
    }

    private Fleet Build(string name, GraphDefinition graph, IReadOnlyList<PlanDevice> types, double rate, double? sla, double percentile)
    {
        var plan = new CostPlanner().Plan(graph, types, costs, sla).Best;
        if (plan.Nodes.Count == 0)
        {
            return new Fleet(name, plan, new Dictionary<string, int>(), double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, percentile);
        }

        var busy = plan.Nodes.GroupBy(n => n.Device).ToDictionary(g => g.Key, g => g.Sum(n => n.Seconds));
        var counts = busy.ToDictionary(b => b.Key, b => Math.Max(1, (int)Math.Ceiling(rate * b.Value / TargetUtilization)));
        double perHour = counts.Sum(c => c.Value * types.Single(t => t.Name == c.Key).HourlyCost);
        var jobs = plan.Nodes.GroupBy(n => n.Device).ToDictionary(g => g.Key, g => g.Count());
        var queues = busy.ToDictionary(b => b.Key, b => Queue(rate, b.Value, jobs[b.Key], counts[b.Key]));
        var (p50, tail) = Quantiles(plan, queues, percentile);
        return new Fleet(name, plan, counts, perHour, perHour / 3600 / rate, p50, tail, percentile);
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

    /// <summary>p50 and the <paramref name="percentile"/> of the critical path's latency with M/M/c waiting at each node (seeded Monte Carlo, 20,000 samples).</summary>
    private static (double P50, double Tail) Quantiles(PlanResult plan, IReadOnlyDictionary<string, (double WaitProbability, double MeanWaitIfWaiting)> queues, double percentile)
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
        return (samples[samples.Length / 2], samples[Math.Min(samples.Length - 1, (int)(samples.Length * percentile))]);
    }
}
