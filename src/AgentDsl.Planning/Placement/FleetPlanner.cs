using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Planning.Placement;

/// <summary>
/// Chooses where each operator runs and how many devices of each type to deploy so that a target request
/// rate is served within the SLA at minimum TCO: the cost planner places one request on the device set a request
/// may use (several devices of a type, so that parallel branches run side by side as in the per-request plan; the
/// cheapest placement within the latency SLA, each node costed at its type's hourly TCO), then each type gets enough
/// devices to keep its utilisation under the target, and at least as many as one request uses at once; the same is
/// done with one device type at a time, for comparison.
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

    /// <summary>
    /// Plans heterogeneous and homogeneous fleets; one request may use as many devices of a type at once as the graph has
    /// branches that can run in parallel (at most <see cref="MaxParallelism"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a positive finite number, or <see cref="Percentile"/> is outside (0, 1].</exception>
    public FleetComparison Plan(GraphDefinition graph, IReadOnlyList<(DeviceSpec Spec, double HourlyCost)> types, double requestsPerSecond, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(types);
        int width = MaxParallelism(graph);
        return Plan(graph, [.. types.Select(t => (t.Spec, t.HourlyCost, width))], requestsPerSecond, slaSeconds);
    }

    /// <summary>
    /// Plans heterogeneous and homogeneous fleets, where one request may use up to <c>PerRequest</c> devices of each type at
    /// once (the device set of the per-request plan, e.g. a hardware profile's counts): parallel branches run on different
    /// devices of a type as they do in the per-request plan, instead of queueing behind each other on one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a positive finite number, a <c>PerRequest</c> is below 1, or <see cref="Percentile"/> is outside (0, 1].</exception>
    public FleetComparison Plan(GraphDefinition graph, IReadOnlyList<(DeviceSpec Spec, double HourlyCost, int PerRequest)> types, double requestsPerSecond, double? slaSeconds = null)
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

        if (types.FirstOrDefault(t => t.PerRequest < 1) is { Spec: not null } none)
        {
            throw new ArgumentOutOfRangeException(nameof(types), none.PerRequest, $"A request needs at least one device of type {none.Spec.Name} it may use.");
        }

        double percentile = Percentile ?? (graph.Sla.Percentile is > 0 and <= 1 ? graph.Sla.Percentile : 0.99);
        var heterogeneous = Build("heterogeneous", graph, PlanDevice.Of([.. types.Select(t => (t.Spec, t.PerRequest, t.HourlyCost))]), requestsPerSecond, slaSeconds, percentile);
        var homogeneous = types
            .Select(t => Build(t.Spec.Name + " only", graph, PlanDevice.Of((t.Spec, t.PerRequest, t.HourlyCost)), requestsPerSecond, slaSeconds, percentile))
            .ToList();
        return new FleetComparison(heterogeneous, homogeneous);
    }

    /// <summary>
    /// An upper bound on how many nodes of <paramref name="graph"/> can run at the same time: a set of mutually independent
    /// nodes shares at most one node with any chain of dependent nodes, so it has at most <c>n − longest chain + 1</c>.
    /// </summary>
    public static int MaxParallelism(GraphDefinition graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        int n = graph.Nodes.Length;
        var chain = new int[n];
        int longest = 0;
        for (int i = n - 1; i >= 0; i--) // ids are a topological order: dependents come later
        {
            int after = 0;
            foreach (int s in graph.DependentsOf(i))
            {
                after = Math.Max(after, chain[s]);
            }

            chain[i] = after + 1;
            longest = Math.Max(longest, chain[i]);
        }

        return Math.Max(1, n - longest + 1);
    }

    private Fleet Build(string name, GraphDefinition graph, IReadOnlyList<PlanDevice> devices, double rate, double? sla, double percentile)
    {
        var plan = new CostPlanner().Plan(graph, devices, costs, sla).Best;
        if (plan.Nodes.Count == 0)
        {
            return new Fleet(name, plan, new Dictionary<string, int>(), double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, percentile);
        }

        // Sized per device type: the type's devices serve one pooled queue, and there are at least as many as one request uses at once.
        var device = devices.ToDictionary(d => d.Name);
        var byType = plan.Nodes.GroupBy(n => device[n.Device].Spec.Name).ToDictionary(g => g.Key, g => g.ToList());
        var busy = byType.ToDictionary(t => t.Key, t => t.Value.Sum(n => n.Seconds));
        var counts = byType.ToDictionary(
            t => t.Key,
            t => Math.Max(t.Value.Select(n => n.Device).Distinct().Count(), (int)Math.Ceiling(rate * busy[t.Key] / TargetUtilization)));
        double perHour = counts.Sum(c => c.Value * devices.First(d => d.Spec.Name == c.Key).HourlyCost);
        var queues = busy.ToDictionary(b => b.Key, b => Queue(rate, b.Value, byType[b.Key].Count, counts[b.Key]));
        var (p50, tail) = Quantiles(plan, queues, n => device[n.Device].Spec.Name, percentile);
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
    private static (double P50, double Tail) Quantiles(PlanResult plan, IReadOnlyDictionary<string, (double WaitProbability, double MeanWaitIfWaiting)> queues, Func<NodePlacement, string> typeOf, double percentile)
    {
        var path = plan.CriticalPath.Select(name => plan.Nodes.First(n => n.Node == name)).ToList();
        var rng = new Random(12345);
        var samples = new double[20_000];
        for (int i = 0; i < samples.Length; i++)
        {
            double total = plan.LatencySeconds;
            foreach (var node in path)
            {
                var (p, mean) = queues[typeOf(node)];
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
