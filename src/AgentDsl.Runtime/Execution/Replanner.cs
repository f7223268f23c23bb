using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Execution;

/// <summary>
/// Placement and re-planning of one graph: the plan (each node's device) the placement policy made over the devices in
/// service, when to ask for a new one (a slow-down, a calibration off the plan, a device out or due back, a probe of a
/// device work was moved away from), the devices this graph took out, and where each attempt of a node runs (the plan,
/// a calibration target, the route expected to finish first, or another device after a failure).
/// </summary>
internal sealed class Replanner
{
    private readonly GraphDefinition _definition;
    private readonly AgentRuntime _runtime;
    private readonly DeviceQueue[] _queues;
    private readonly IPlacementPolicy _policy;
    private readonly NodeEstimates _estimates;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _graphTag;
    private readonly long _minReplanTicks;
    private readonly long _estimateLifetimeTicks;
    private readonly int _exploreEvery;
    private readonly object _planGate = new();
    private readonly long[] _outUntil;
    private int[] _placement = [];
    private int[] _usedQueues = [];
    private int[][] _explore = [];
    private Route[][] _routes = [];
    private string? _unplaceable;
    private long _nextReturn = long.MaxValue;
    private long _nextProbe = long.MaxValue;
    private long _lastReplan;

    /// <summary>A re-plan asked for and not yet made: 0 for none, else 1 + its <see cref="ReplanReason"/>.</summary>
    private int _due;

    /// <summary>Creates the re-planner; <see cref="Start"/> makes the first plan.</summary>
    public Replanner(
        GraphDefinition definition,
        AgentRuntime runtime,
        IPlacementPolicy policy,
        NodeEstimates estimates,
        AgentDslOptions options,
        ILogger logger,
        KeyValuePair<string, object?> graphTag)
    {
        _definition = definition;
        _runtime = runtime;
        _queues = runtime.Queues;
        _policy = policy;
        _estimates = estimates;
        _logger = logger;
        _graphTag = graphTag;
        _minReplanTicks = (long)(options.Replanning.MinInterval.TotalSeconds * Stopwatch.Frequency);
        _estimateLifetimeTicks = (long)(options.Replanning.EstimateLifetime.TotalSeconds * Stopwatch.Frequency);
        _exploreEvery = policy is PlannedPlacementPolicy ? options.Replanning.ExploreEvery : 0; // a policy of your own is followed as is
        _outUntil = new long[_queues.Length];
    }

    /// <summary>Called (under the plan's lock) after every new plan: what was computed from the old one is stale.</summary>
    public Action? Replanned { get; set; }

    /// <summary>The device queues (every device of the host, by index).</summary>
    public DeviceQueue[] Queues => _queues;

    /// <summary>The device queue index of each node under the current plan.</summary>
    public int[] Placement => Volatile.Read(ref _placement);

    /// <summary>The device queues the current plan uses.</summary>
    public int[] UsedQueues => Volatile.Read(ref _usedQueues);

    /// <summary>Why the last plan could not be made (no device fits a node), or null when it was.</summary>
    public string? Unplaceable => Volatile.Read(ref _unplaceable);

    /// <summary>Makes the first plan and logs it.</summary>
    /// <exception cref="PlacementException">A node fits none of the devices.</exception>
    public void Start()
    {
        Volatile.Write(ref _placement, Plan(ReplanReason.Start) ?? throw new PlacementException(_unplaceable!));
        RunnerLog.GraphPlaced(_logger, _definition.Name, _definition.Nodes.Length, Describe(_placement));
    }

    /// <summary>Asks for a re-plan (made by the next <see cref="MaybeReplan"/> after the least interval), replacing one already asked for.</summary>
    public void Request(ReplanReason reason) => Interlocked.Exchange(ref _due, 1 + (int)reason);

    /// <summary>Asks for a re-plan unless one is asked for already.</summary>
    public void RequestUnlessDue(ReplanReason reason) => Interlocked.CompareExchange(ref _due, 1 + (int)reason, 0);

    /// <summary>A device was taken out of service for every graph or came back: re-plan (at once when it went out).</summary>
    public void OnDeviceStateChanged(int device, bool inService)
    {
        Request(inService ? ReplanReason.DeviceBack : ReplanReason.DeviceOut);
        if (!inService)
        {
            // Taken out: re-plan at once, not at the next request.
            TryReplan(Stopwatch.GetTimestamp(), ReplanReason.DeviceOut, force: true);
        }
    }

    /// <summary>Re-plans when something asked for it (slow-down, a device out) or an out device is due back.</summary>
    public void MaybeReplan(long now)
    {
        if (Volatile.Read(ref _due) is var due and not 0)
        {
            TryReplan(now, (ReplanReason)(due - 1), force: false);
        }
        else if (now >= Volatile.Read(ref _nextReturn))
        {
            TryReplan(now, ReplanReason.DeviceBack, force: true);
        }
        else if (now >= Volatile.Read(ref _nextProbe))
        {
            TryReplan(now, ReplanReason.Probe, force: true);
        }
    }

    /// <summary>Re-plans now unless another thread is (or, unless <paramref name="force"/>, the least interval since the last plan has not passed or nothing asks for it).</summary>
    public void TryReplan(long now, ReplanReason reason, bool force)
    {
        if (!force && now - Volatile.Read(ref _lastReplan) < _minReplanTicks)
        {
            return;
        }

        if (!Monitor.TryEnter(_planGate))
        {
            return;
        }

        try
        {
            if (Interlocked.Exchange(ref _due, 0) == 0 && !force)
            {
                return; // another thread re-planned already
            }

            var previous = Volatile.Read(ref _placement);
            var next = Plan(reason);
            if (next is null)
            {
                return;
            }

            Volatile.Write(ref _placement, next);
            Replanned?.Invoke();

            // After moving work away from a slow device, look again once its measurement has gone stale (it may have recovered).
            bool moved = !next.AsSpan().SequenceEqual(previous);
            if (reason is ReplanReason.Slowdown or ReplanReason.Probe && moved)
            {
                Volatile.Write(ref _nextProbe, now + _estimateLifetimeTicks + 1);
            }
            else if (reason == ReplanReason.Probe)
            {
                Volatile.Write(ref _nextProbe, long.MaxValue);
            }

            string text = reason.Text();
            AgentDslTelemetry.Replans.Add(1, _graphTag, new("agentdsl.reason", text));
            var moves = Enumerable.Range(0, next.Length).Where(i => next[i] != previous[i]).ToList();
            RunnerLog.Replanned(
                _logger,
                _definition.Name,
                text,
                moves.Count == 0 ? "no node moved" : string.Join(", ", moves.Select(i => $"{_definition.Nodes[i].Name} {_queues[previous[i]].Name}→{_queues[next[i]].Name}")));
        }
        finally
        {
            Monitor.Exit(_planGate);
        }
    }

    /// <summary>Takes a device out for this graph (its breaker for one of the graph's operators opened) and re-plans.</summary>
    public void TakeOut(int device, TimeSpan duration, string why)
    {
        long until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long previous = Interlocked.Exchange(ref _outUntil[device], until);
        if (previous < Stopwatch.GetTimestamp())
        {
            _runtime.LogDeviceOut(_queues[device].Name, $"graph {_definition.Name}", why, duration.TotalMilliseconds);
        }

        TryReplan(Stopwatch.GetTimestamp(), ReplanReason.DeviceOut, force: true);
    }

    /// <summary>Whether device <paramref name="d"/> is in service for this graph: not taken out for every graph, nor for this one.</summary>
    public bool InService(int d, long now) => !_runtime.IsOut(d, now) && Volatile.Read(ref _outUntil[d]) <= now;

    /// <summary>The device of an attempt: elsewhere after a failure, now and then an unmeasured one (calibration), else the fastest expected finish.</summary>
    /// <param name="node">The node.</param>
    /// <param name="attempt">The attempt (0: the first).</param>
    /// <param name="lastFailed">The device the last attempt failed on, or -1.</param>
    /// <param name="requestId">The request's id (every <c>ExploreEvery</c>-th request calibrates).</param>
    /// <param name="now">Now (Stopwatch ticks).</param>
    public int ChooseDevice(NodeDefinition node, int attempt, int lastFailed, long requestId, long now)
    {
        int d = Volatile.Read(ref _placement)[node.Id];
        if (lastFailed == d && AlternativeTo(node, d, now) is { } other)
        {
            // A retry goes elsewhere when the plan still points at the device that just failed.
            return other;
        }

        if (attempt == 0 && _exploreEvery > 0 && Volatile.Read(ref _explore) is { Length: > 0 } explore
            && explore[node.Id] is { Length: > 0 } targets && requestId % _exploreEvery == 0)
        {
            // Calibration: now and then a node runs on a device it could use but has not been measured on.
            int target = targets[(int)(requestId / _exploreEvery % targets.Length)];
            if (InService(target, now))
            {
                return target;
            }
        }
        else if (attempt == 0 && Volatile.Read(ref _routes) is { Length: > 0 } routes && routes[node.Id] is { Length: > 1 } options)
        {
            // Routing under load: the device where the node is expected to finish first, counting what is queued on
            // each (the plan's device wins ties).
            return RouteOf(node.Id, options, now);
        }

        return d;
    }

    /// <summary>What the node's run is expected to take from the device's capacity (its backlog while it runs), in Stopwatch ticks.</summary>
    public long EstimateTicks(int nodeId, int device, long now)
    {
        double expected = _estimates.OccupancyMilliseconds(nodeId, device, now);
        return double.IsNaN(expected) ? 0 : (long)(expected / 1000.0 * Stopwatch.Frequency);
    }

    /// <summary>The placement as text: <c>node→device, …</c>.</summary>
    public string Describe(int[] placement) =>
        string.Join(", ", _definition.Nodes.Select(n => $"{n.Name}→{_queues[placement[n.Id]].Name}"));

    /// <summary>Asks the policy for a placement over the devices in service; null (and <see cref="Unplaceable"/> set) when it finds none.</summary>
    private int[]? Plan(ReplanReason reason)
    {
        long now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastReplan, now);
        var inService = new List<IAgentDevice>(_queues.Length);
        long nextReturn = long.MaxValue;
        for (int d = 0; d < _queues.Length; d++)
        {
            long until = Math.Max(Volatile.Read(ref _outUntil[d]), _runtime.IsOut(d, now) ? _runtime.NextReturn(now) : 0);
            if (until > now)
            {
                nextReturn = Math.Min(nextReturn, until);
                continue;
            }

            inService.Add(_queues[d].Device);
        }

        Volatile.Write(ref _nextReturn, nextReturn);
        IReadOnlyList<IAgentDevice> placed;
        try
        {
            placed = _policy.Place(new PlacementRequest(_definition, inService, _estimates, reason.Text()));
            if (placed.Count != _definition.Nodes.Length)
            {
                throw new PlacementException($"Graph '{_definition.Name}': the placement policy {_policy.GetType().Name} placed {placed.Count} nodes; the graph has {_definition.Nodes.Length}.");
            }
        }
        catch (PlacementException ex)
        {
            Volatile.Write(ref _unplaceable, ex.Message);
            RunnerLog.ReplanFailed(_logger, _definition.Name, reason.Text(), ex.Message);
            return null;
        }

        var result = new int[placed.Count];
        for (int i = 0; i < placed.Count; i++)
        {
            int index = Array.FindIndex(_queues, q => ReferenceEquals(q.Device, placed[i]));
            if (index < 0 || !inService.Contains(placed[i]) || !placed[i].CanHost(_definition.Nodes[i], inService))
            {
                string message = index < 0 || !inService.Contains(placed[i])
                    ? $"Graph '{_definition.Name}': the placement policy {_policy.GetType().Name} put {_definition.Nodes[i].Describe()} on '{placed[i]?.Descriptor.Name}', which is not a device in service."
                    : $"Graph '{_definition.Name}': the placement policy {_policy.GetType().Name} put {_definition.Nodes[i].Describe()} on '{placed[i].Descriptor.Name}', which the node does not allow or the device cannot run.";
                Volatile.Write(ref _unplaceable, message);
                RunnerLog.ReplanFailed(_logger, _definition.Name, reason.Text(), message);
                return null;
            }

            result[i] = index;
        }

        Volatile.Write(ref _unplaceable, null);
        Volatile.Write(ref _usedQueues, [.. result.Distinct()]);
        Volatile.Write(ref _explore, Explore(result, inService));
        Volatile.Write(ref _routes, Routes(result, inService));
        _estimates.OnPlanned();
        return result;
    }

    /// <summary>Calibration: per node, the devices in service that could run it but have not been measured for it yet.</summary>
    private int[][] Explore(int[] placement, List<IAgentDevice> inService)
    {
        var explore = new int[placement.Length][];
        for (int i = 0; i < placement.Length; i++)
        {
            var node = _definition.Nodes[i];
            explore[i] = node.Merge ? [] : [.. Enumerable.Range(0, _queues.Length).Where(d =>
                d != placement[i] && inService.Contains(_queues[d].Device)
                && _queues[d].Device.CanHost(node, inService)
                && double.IsNaN(_estimates.Milliseconds(i, d)))];
        }

        return explore;
    }

    /// <summary>Routing: per node, the planned device first, then every other measured device in service that can run it.</summary>
    private Route[][] Routes(int[] placement, List<IAgentDevice> inService)
    {
        var routes = new Route[placement.Length][];
        for (int i = 0; i < placement.Length; i++)
        {
            var node = _definition.Nodes[i];
            double planned = _estimates.Milliseconds(i, placement[i]);
            var list = new List<Route> { new(placement[i], double.IsNaN(planned) ? 0 : planned) };
            if (!node.Merge && !double.IsNaN(planned))
            {
                for (int d = 0; d < _queues.Length; d++)
                {
                    double ms = _estimates.Milliseconds(i, d);
                    if (d != placement[i] && !double.IsNaN(ms) && inService.Contains(_queues[d].Device)
                        && _queues[d].Device.CanHost(node, inService))
                    {
                        list.Add(new Route(d, ms));
                    }
                }
            }

            routes[i] = [.. list];
        }

        return routes;
    }

    /// <summary>The device of <paramref name="options"/> where the node should finish first: its backlog plus the node's current mean there.</summary>
    private int RouteOf(int nodeId, Route[] options, long now)
    {
        int best = options[0].Device;
        double bestFinish = _queues[best].BacklogMilliseconds + Current(options[0]);
        for (int i = 1; i < options.Length; i++)
        {
            int d = options[i].Device;
            double finish = _queues[d].BacklogMilliseconds + Current(options[i]);
            if (finish < bestFinish && InService(d, now))
            {
                (best, bestFinish) = (d, finish);
            }
        }

        return best;

        double Current(Route route) => _estimates.Milliseconds(nodeId, route.Device) is var ms && !double.IsNaN(ms) ? ms : route.Milliseconds;
    }

    /// <summary>The best other device in service that can run the node (measured or prior time), or null.</summary>
    private int? AlternativeTo(NodeDefinition node, int failed, long now)
    {
        int? best = null;
        double bestMs = double.PositiveInfinity;
        for (int d = 0; d < _queues.Length; d++)
        {
            var device = _queues[d].Device;
            if (d == failed || !InService(d, now) || !device.CanHost(node))
            {
                continue;
            }

            double ms = _estimates.Milliseconds(node.Id, d);
            ms = (double.IsNaN(ms) ? 1e6 : ms) + _queues[d].BacklogMilliseconds;
            if (ms < bestMs)
            {
                (best, bestMs) = (d, ms);
            }
        }

        return best;
    }

    /// <summary>A device a node may run on, with its expected time there when the plan was made.</summary>
    private readonly record struct Route(int Device, double Milliseconds);
}
