using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using AgentDsl.Devices;
using AgentDsl.Diagnostics;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.Execution;

/// <summary>
/// Runs requests through <typeparamref name="TGraph"/>: the orchestrator of one graph. A node starts as soon as the
/// nodes it reads from have finished, on the device the placement policy chose for it, through that device's
/// earliest-deadline-first queue; independent branches run concurrently. Admission control rejects requests that
/// cannot meet their deadline or exceed the in-flight limit; measured node times feed re-planning when a device
/// slows down, fails or disappears; per-operator retries, timeouts and circuit breakers come from Polly. The first
/// failure cancels the rest of the request and fails it with an <see cref="AgentNodeException"/> naming the node.
/// </summary>
/// <typeparam name="TGraph">The graph class.</typeparam>
public sealed partial class AgentRunner<TGraph> : IAgentRunner<TGraph>, IDisposable
    where TGraph : class, IAgentGraph<TGraph>
{
    private readonly TGraph _graph;
    private readonly GraphDefinition _definition;
    private readonly AgentRuntime _runtime;
    private readonly DeviceQueue[] _queues;
    private readonly IPlacementPolicy _policy;
    private readonly ILogger _logger;
    private readonly AgentDslOptions _options;
    private readonly bool _logNodes;
    private readonly KeyValuePair<string, object?> _graphTag;
    private readonly IServiceProvider? _services;
    private readonly NodeEstimates _estimates;
    private readonly AgentGraphStatistics _statistics = new();
    private readonly long _slaTicks;
    private readonly TimeSpan _cancellationGrace;
    private readonly bool[] _resultNotNull;
    private readonly long _minReplanTicks;
    private readonly object _planGate = new();
    private readonly long[] _outUntil;
    private int[] _placement;
    private int[] _usedQueues = [];
    private PlanSnapshot _snapshot = new(0, [], [], 0);
    private long _nextReturn = long.MaxValue;
    private long _nextProbe = long.MaxValue;
    private long _lastReplan;
    private long _lastAdmitted;
    private readonly long _estimateLifetimeTicks;
    private int _replanDue;
    private const int SlowdownDue = 1;
    private const int CalibratedDue = 2;
    private const int DeviceDue = 3;
    private int[][] _explore = [];
    private Route[][] _routes = [];
    private readonly int _exploreEvery;
    private string? _unplaceable;
    private int _inFlight;
    private long _requestIds;
    private readonly double _percentile;
    private readonly double _z;
    private readonly double[] _errors = new double[ErrorWindow];
    private long _errorCount;

    /// <summary>Completed requests whose prediction error sets the observed headroom (<see cref="PlanSnapshot.HeadroomMs"/>).</summary>
    private const int ErrorWindow = 256;

    /// <summary>
    /// The least headroom, as a share of the budget: for delays no measurement predicts and that hit every queued
    /// request at once (a GC pause, a loaded machine) until the prediction errors show them.
    /// </summary>
    private const double MinHeadroom = 0.1;

    /// <summary>The margin for the percentile is at most this many times the queued work ahead of a request.</summary>
    private const double MaxMarginPerQueuedMs = 2;

    /// <summary>Errors needed before the observed headroom counts.</summary>
    private const int MinErrors = 20;

    /// <summary>Creates the runner and places the graph's nodes.</summary>
    /// <exception cref="PlacementException">A node fits none of the devices.</exception>
    public AgentRunner(
        TGraph graph,
        AgentRuntime runtime,
        IPlacementPolicy placementPolicy,
        IOptions<AgentDslOptions> options,
        ILogger<AgentRunner<TGraph>> logger,
        IEnumerable<Batching.OperatorBatch> batches,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(placementPolicy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);

        _services = services;
        _graph = graph;
        _definition = TGraph.Definition;
        _runtime = runtime;
        _queues = runtime.Queues;
        _policy = placementPolicy;
        _logger = logger;
        _options = options.Value;
        _logNodes = _options.LogNodes;
        _cancellationGrace = _options.CancellationGrace;
        _graphTag = new("agentdsl.graph", _definition.Name);
        _slaTicks = _definition.Sla.HasLatencyBound ? (long)(_definition.Sla.LatencyMs / 1000.0 * Stopwatch.Frequency) : 0;
        _minReplanTicks = (long)(_options.Replanning.MinInterval.TotalSeconds * Stopwatch.Frequency);
        _estimateLifetimeTicks = (long)(_options.Replanning.EstimateLifetime.TotalSeconds * Stopwatch.Frequency);
        _exploreEvery = placementPolicy is PlannedPlacementPolicy ? _options.Replanning.ExploreEvery : 0; // a policy of your own is followed as is
        _lastAdmitted = Stopwatch.GetTimestamp();
        _percentile = Math.Clamp(_definition.Sla.Percentile is > 0 and <= 1 and var p ? p : AgentGraphAttribute.DefaultPercentile, 0.5, 0.999);
        _z = NodeEstimates.NormalQuantile(_percentile);
        _estimates = new NodeEstimates(_definition.Nodes.Length, _queues, _options.Replanning.EstimateLifetime, runtime.Calibration, _definition.Nodes);
        _outUntil = new long[_queues.Length];
        _resultNotNull = ResultsDeclaredNotNull(_definition);
        _resilience = BuildResilience();
        BuildBatchers(batches);

        _placement = Plan("start") ?? throw new PlacementException(_unplaceable!);
        LogGraphPlaced(_definition.Name, _definition.Nodes.Length, DescribePlacement(_placement));
        _runtime.DeviceStateChanged += OnDeviceStateChanged;
    }

    /// <summary>The graph this runner runs.</summary>
    public GraphDefinition Definition => _definition;

    /// <summary>The device of each node under the current plan, indexed by node id.</summary>
    public IReadOnlyList<IAgentDevice> Placement => [.. Volatile.Read(ref _placement).Select(d => _queues[d].Device)];

    /// <inheritdoc/>
    public AgentGraphStatistics Statistics => _statistics;

    /// <summary>
    /// The predicted latency of a request admitted now at the graph's SLA percentile, in milliseconds: the critical path
    /// under the current plan and measurements plus the backlog of the devices the plan uses, plus the spread of both at
    /// the percentile and the headroom the prediction errors of recent requests call for.
    /// </summary>
    public double PredictedLatencyMs => Predict(Snapshot(Stopwatch.GetTimestamp()), _slaTicks * 1000.0 / Stopwatch.Frequency).Total;

    /// <inheritdoc/>
    public Task<AgentRunResult> RunUntypedAsync(object?[] inputs, CancellationToken cancellationToken = default) =>
        RunUntypedAsync(inputs, options: null, cancellationToken);

    /// <inheritdoc/>
    public Task<AgentRunResult> RunUntypedAsync(object?[] inputs, AgentRequestOptions? options, CancellationToken cancellationToken = default)
    {
        // The request's clock starts at the call: its latency (Elapsed, the SLA) is what the caller waits, queueing included.
        long now = Stopwatch.GetTimestamp();
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != _definition.Inputs.Length)
        {
            throw new ArgumentException(
                $"Graph '{_definition.Name}' takes {_definition.Inputs.Length} inputs ({string.Join(", ", _definition.Inputs.Select(i => $"{i.Type} {i.Name}"))}); {inputs.Length} were given.",
                nameof(inputs));
        }

        cancellationToken.ThrowIfCancellationRequested();
        long budget = options?.Budget is { } b ? (long)(b.TotalSeconds * Stopwatch.Frequency) : _slaTicks;
        _statistics.OnSubmitted();
        if (Admit(now, budget, out var reservation, out double predictedMs) is { } rejected)
        {
            return Task.FromException<AgentRunResult>(rejected);
        }

        if (_batchedNodes.Length > 0)
        {
            ExpectAtBatchedNodes();
        }

        return new Run(this, inputs, now, budget, hardDeadline: options?.Budget is not null, reservation, predictedMs, cancellationToken).ExecuteAsync();
    }

    /// <inheritdoc/>
    public void Dispose() => _runtime.DeviceStateChanged -= OnDeviceStateChanged;

    /// <summary>
    /// Admission control: null to admit (and count the request in, reserving its expected work on the devices it will
    /// use, so a burst of arrivals sees each other), or the rejection.
    /// </summary>
    private AgentRequestRejectedException? Admit(long now, long budgetTicks, out PlanSnapshot? reservation, out double predictedMs)
    {
        reservation = null;
        predictedMs = 0;
        if (!_runtime.TryEnter())
        {
            return Reject(RejectionReason.ShuttingDown, "the host is shutting down and admits no new requests.");
        }

        if (Interlocked.Increment(ref _inFlight) > _options.MaxInFlightRequests)
        {
            LeaveInFlight();
            return Reject(RejectionReason.QueueFull, string.Create(CultureInfo.InvariantCulture, $"{_options.MaxInFlightRequests} requests are already in flight (AgentDsl:MaxInFlightRequests)."));
        }

        MaybeReplan(now);
        if (Volatile.Read(ref _unplaceable) is { } unplaceable)
        {
            LeaveInFlight();
            return Reject(RejectionReason.NoDevice, unplaceable);
        }

        if (_options.AdmissionControl && budgetTicks > 0)
        {
            double budgetMs = budgetTicks * 1000.0 / Stopwatch.Frequency;
            var snapshot = Snapshot(now);
            var predicted = Predict(snapshot, budgetMs);
            // Liveness: when nothing was admitted for an estimate lifetime, one request goes through as a probe, so estimates
            // inflated by a transient slow-down are measured again instead of rejecting every request forever.
            bool probe = now - Volatile.Read(ref _lastAdmitted) > _estimateLifetimeTicks;
            if (predicted.Total > budgetMs && !probe)
            {
                LeaveInFlight();
                return Reject(RejectionReason.DeadlineUnreachable, DescribeRejection(predicted, budgetMs), predicted.Total, budgetMs);
            }

            // What the errors that set the headroom are measured against (none while a node is unmeasured: JIT, cold caches).
            predictedMs = snapshot.Measured ? predicted.ModelMs : double.NaN;

            for (int n = 0; n < snapshot.Ticks.Length; n++)
            {
                _queues[snapshot.Queue[n]].Reserve(snapshot.Ticks[n]);
            }

            reservation = snapshot;
        }

        Volatile.Write(ref _lastAdmitted, now);
        return null;
    }

    private AgentRequestRejectedException Reject(RejectionReason reason, string message, double predictedMs = 0, double budgetMs = 0)
    {
        _statistics.OnRejected(reason);
        var tag = new KeyValuePair<string, object?>("agentdsl.reason", reason.ToString());
        AgentDslTelemetry.Rejections.Add(1, _graphTag, tag);
        AgentDslTelemetry.Requests.Add(1, _graphTag, new("agentdsl.outcome", "rejected"));
        AgentDslTelemetry.SlaOutcomes.Add(1, _graphTag, new("agentdsl.sla_met", false));
        LogRejected(_definition.Name, reason.ToString(), message);
        return new AgentRequestRejectedException(_definition.Name, reason, message) { PredictedMs = predictedMs, BudgetMs = budgetMs };
    }

    private void LeaveInFlight()
    {
        Interlocked.Decrement(ref _inFlight);
        _runtime.Exit();
    }

    /// <summary>
    /// The latency of a request admitted now, at the graph's SLA percentile: the critical path (means) plus, on the
    /// device the plan uses whose backlog makes it latest, that backlog; plus a margin: z × the standard deviation of
    /// their sum (z the normal quantile of the percentile: the path's node variances, and the queued work's, taken as
    /// independent runs) and a headroom (what recent prediction errors call for, at least <see cref="MinHeadroom"/>
    /// of the budget); but at most <see cref="MaxMarginPerQueuedMs"/> × the queued work, so a request with nothing
    /// queued ahead is admitted whenever its mean fits (it starts at once: rejecting it would not help it or anyone
    /// else meet the SLA), and the margin grows as a queue builds.
    /// </summary>
    private Prediction Predict(PlanSnapshot snapshot, double budgetMs)
    {
        double path = snapshot.CriticalPathMs;
        double headroom = Math.Max(snapshot.HeadroomMs, MinHeadroom * budgetMs);
        var best = new Prediction(path, 0, null, _z * Math.Sqrt(snapshot.PathVariance), headroom, 0);
        foreach (int q in Volatile.Read(ref _usedQueues))
        {
            var queue = _queues[q];
            double queued = queue.BacklogMilliseconds;
            if (queued <= 0)
            {
                continue;
            }

            // The queued work's variance: its runs' own spread, from this graph's variance per millisecond of work on the
            // device (Σσ² ≤ r·Σμ) over the capacity²; and the error of the means it was estimated with, which runs
            // admitted together share (so it grows with the backlog, not with its square root).
            double variance = snapshot.PathVariance;
            if (q < snapshot.SpreadPerMs.Length)
            {
                double shared = queued * snapshot.MeanErrorPerMs[q];
                variance += (queued * snapshot.SpreadPerMs[q] / queue.UtilizationCapacity) + (shared * shared);
            }

            double spread = _z * Math.Sqrt(variance);
            var candidate = new Prediction(path, queued, queue.Name, spread, headroom, Math.Min(spread + headroom, MaxMarginPerQueuedMs * queued));
            if (candidate.Total > best.Total)
            {
                best = candidate;
            }
        }

        return best;
    }

    private string DescribeRejection(in Prediction p, double budgetMs)
    {
        string at = string.Create(CultureInfo.InvariantCulture, $"p{_percentile * 100:0.#}");
        string margin = p.MarginMs <= 0.005 ? ""
            : p.MarginMs < p.SpreadMs + p.HeadroomMs ? string.Create(CultureInfo.InvariantCulture, $" + {p.MarginMs:0.##} ms margin for {at}, at most {MaxMarginPerQueuedMs:0.#}× the queued work")
            : string.Create(CultureInfo.InvariantCulture, $" + {p.SpreadMs:0.##} ms spread at {at} + {p.HeadroomMs:0.##} ms headroom");
        return p.Busiest is null
            ? string.Create(CultureInfo.InvariantCulture, $"predicted {at} latency {p.Total:0.##} ms (critical path of measured node times {p.PathMs:0.##} ms{margin}) exceeds the budget of {budgetMs:0.##} ms.")
            : string.Create(CultureInfo.InvariantCulture, $"predicted {at} latency {p.Total:0.##} ms (critical path {p.PathMs:0.##} ms + {p.BacklogMs:0.##} ms queued on {p.Busiest}{margin}) exceeds the budget of {budgetMs:0.##} ms.");
    }

    /// <summary>Records how far a completed request's latency was above (or below) its prediction at admission, without the headroom.</summary>
    private void RecordPredictionError(double errorMs)
    {
        long i = Interlocked.Increment(ref _errorCount) - 1;
        Volatile.Write(ref _errors[i & (ErrorWindow - 1)], errorMs);
    }

    /// <summary>The headroom the recent prediction errors call for: their value at the SLA percentile (0 when they are under it, or too few).</summary>
    private double ObservedHeadroom()
    {
        int n = (int)Math.Min(Volatile.Read(ref _errorCount), ErrorWindow);
        if (n < MinErrors)
        {
            return 0;
        }

        var errors = new double[n];
        for (int i = 0; i < n; i++)
        {
            errors[i] = Volatile.Read(ref _errors[i]);
        }

        Array.Sort(errors);
        return Math.Max(0, errors[Math.Min(n - 1, (int)Math.Ceiling(_percentile * n) - 1)]);
    }

    /// <summary>The critical path and per-node expected times under the current plan, refreshed at most every 50 ms.</summary>
    private PlanSnapshot Snapshot(long now)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (now - snapshot.At < Stopwatch.Frequency / 20)
        {
            return snapshot;
        }

        var placement = Volatile.Read(ref _placement);
        var finish = new double[_definition.Nodes.Length];
        var pathVariance = new double[_definition.Nodes.Length];
        var wall = new double[_definition.Nodes.Length];
        var ticks = new long[_definition.Nodes.Length];
        var spreadPerMs = new double[_queues.Length];
        var meanErrorPerMs = new double[_queues.Length];
        double longest = 0, longestVariance = 0;
        bool measured = true;
        foreach (int id in _definition.TopologicalOrder)
        {
            double start = 0, startVariance = 0;
            foreach (int p in _definition.PredecessorsOf(id))
            {
                if (finish[p] > start)
                {
                    (start, startVariance) = (finish[p], pathVariance[p]);
                }
            }

            // The path is wall time (awaits included); what the request reserves on the device is what it occupies there.
            int d = placement[id];
            double ms = _estimates.Milliseconds(id, d, now);
            wall[id] = double.IsNaN(ms) ? 0 : ms;
            measured &= !double.IsNaN(ms) || _definition.Nodes[id].Merge;
            double occupied = _estimates.OccupancyMilliseconds(id, d, now);
            ticks[id] = double.IsNaN(occupied) ? 0 : (long)(occupied / 1000.0 * Stopwatch.Frequency);
            double sd = _estimates.StdDevMilliseconds(id, d);
            pathVariance[id] = startVariance + (sd * sd);
            if (wall[id] > 0)
            {
                spreadPerMs[d] = Math.Max(spreadPerMs[d], sd * sd / wall[id]);
                meanErrorPerMs[d] = Math.Max(meanErrorPerMs[d], NodeEstimates.MeanError * sd / wall[id]);
            }

            finish[id] = start + wall[id];
            if (finish[id] > longest)
            {
                (longest, longestVariance) = (finish[id], pathVariance[id]);
            }
        }

        // The longest expected path after each node (what a node's batching wait must leave room for).
        var after = new double[_definition.Nodes.Length];
        for (int k = _definition.TopologicalOrder.Length - 1; k >= 0; k--)
        {
            int id = _definition.TopologicalOrder[k];
            foreach (int next in _definition.DependentsOf(id))
            {
                after[id] = Math.Max(after[id], wall[next] + after[next]);
            }
        }

        snapshot = new PlanSnapshot(longest, placement, ticks, now)
        {
            After = after,
            PathVariance = longestVariance,
            SpreadPerMs = spreadPerMs,
            MeanErrorPerMs = meanErrorPerMs,
            HeadroomMs = ObservedHeadroom(),
            Measured = measured,
        };
        Volatile.Write(ref _snapshot, snapshot);
        return snapshot;
    }

    /// <summary>
    /// Per node, whether its operator declares a result that is not nullable (a non-nullable reference type, in a
    /// nullable-enabled context; a task of one): a null it returns then fails that node, not the node that reads it.
    /// </summary>
    private static bool[] ResultsDeclaredNotNull(GraphDefinition graph)
    {
        var result = new bool[graph.Nodes.Length];
        var context = new NullabilityInfoContext();
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        foreach (var node in graph.Nodes)
        {
            if (!node.HasResult || node.Merge || node.FanOut is not null || node.Subgraph is not null)
            {
                continue;
            }

            var methods = typeof(TGraph).GetMethods(All).Where(m => m.Name == node.Operator).Take(2).ToList();
            if (methods.Count != 1 || methods[0].ReturnType.IsValueType && !methods[0].ReturnType.IsGenericType)
            {
                continue; // not found, overloaded, or a value
            }

            var info = context.Create(methods[0].ReturnParameter);
            var type = methods[0].ReturnType;
            if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            {
                info = info.GenericTypeArguments[0];
                type = type.GetGenericArguments()[0];
            }

            result[node.Id] = !type.IsValueType && info.ReadState == NullabilityState.NotNull;
        }

        return result;
    }

    private void OnDeviceStateChanged(int device, bool inService)
    {
        Interlocked.Exchange(ref _replanDue, DeviceDue);
        if (!inService)
        {
            // Taken out: re-plan at once, not at the next request.
            TryReplan(Stopwatch.GetTimestamp(), "device-out", force: true);
        }
    }

    /// <summary>Re-plans when something asked for it (slow-down, a device out) or an out device is due back.</summary>
    private void MaybeReplan(long now)
    {
        if (Volatile.Read(ref _replanDue) is var due and not 0)
        {
            TryReplan(now, due == SlowdownDue ? "slowdown" : due == CalibratedDue ? "calibrated" : "device-out", force: false);
        }
        else if (now >= Volatile.Read(ref _nextReturn))
        {
            TryReplan(now, "device-back", force: true);
        }
        else if (now >= Volatile.Read(ref _nextProbe))
        {
            TryReplan(now, "probe", force: true);
        }
    }

    private void TryReplan(long now, string reason, bool force)
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
            if (Interlocked.Exchange(ref _replanDue, 0) == 0 && !force)
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
            Volatile.Write(ref _snapshot, Volatile.Read(ref _snapshot) with { At = 0 });

            // After moving work away from a slow device, look again once its measurement has gone stale (it may have recovered).
            bool moved = !next.AsSpan().SequenceEqual(previous);
            if (reason is "slowdown" or "probe" && moved)
            {
                Volatile.Write(ref _nextProbe, now + (long)(_options.Replanning.EstimateLifetime.TotalSeconds * Stopwatch.Frequency) + 1);
            }
            else if (reason == "probe")
            {
                Volatile.Write(ref _nextProbe, long.MaxValue);
            }
            AgentDslTelemetry.Replans.Add(1, _graphTag, new("agentdsl.reason", reason));
            var moves = Enumerable.Range(0, next.Length).Where(i => next[i] != previous[i]).ToList();
            LogReplanned(
                _definition.Name,
                reason,
                moves.Count == 0 ? "no node moved" : string.Join(", ", moves.Select(i => $"{_definition.Nodes[i].Name} {_queues[previous[i]].Name}→{_queues[next[i]].Name}")));
        }
        finally
        {
            Monitor.Exit(_planGate);
        }
    }

    /// <summary>Asks the policy for a placement over the devices in service; null (and <see cref="_unplaceable"/> set) when it finds none.</summary>
    private int[]? Plan(string reason)
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
            placed = _policy.Place(new PlacementRequest(_definition, inService, _estimates, reason));
            if (placed.Count != _definition.Nodes.Length)
            {
                throw new PlacementException($"Graph '{_definition.Name}': the placement policy {_policy.GetType().Name} placed {placed.Count} nodes; the graph has {_definition.Nodes.Length}.");
            }
        }
        catch (PlacementException ex)
        {
            Volatile.Write(ref _unplaceable, ex.Message);
            LogReplanFailed(_definition.Name, reason, ex.Message);
            return null;
        }

        var result = new int[placed.Count];
        for (int i = 0; i < placed.Count; i++)
        {
            int index = Array.FindIndex(_queues, q => ReferenceEquals(q.Device, placed[i]));
            if (index < 0 || !inService.Contains(placed[i]) || !placed[i].CanHost(_definition.Nodes[i]))
            {
                string message = index < 0 || !inService.Contains(placed[i])
                    ? $"Graph '{_definition.Name}': the placement policy {_policy.GetType().Name} put {_definition.Nodes[i].Describe()} on '{placed[i]?.Descriptor.Name}', which is not a device in service."
                    : $"Graph '{_definition.Name}': the placement policy {_policy.GetType().Name} put {_definition.Nodes[i].Describe()} on '{placed[i].Descriptor.Name}', which the node does not allow or the device cannot run.";
                Volatile.Write(ref _unplaceable, message);
                LogReplanFailed(_definition.Name, reason, message);
                return null;
            }

            result[i] = index;
        }

        Volatile.Write(ref _unplaceable, null);
        Volatile.Write(ref _usedQueues, [.. result.Distinct()]);

        // Calibration: devices in service that could run a node but have not been measured for it yet.
        var explore = new int[result.Length][];
        for (int i = 0; i < result.Length; i++)
        {
            var node = _definition.Nodes[i];
            explore[i] = node.Merge ? [] : [.. Enumerable.Range(0, _queues.Length).Where(d =>
                d != result[i] && inService.Contains(_queues[d].Device)
                && _queues[d].Device.CanHost(node)
                && double.IsNaN(_estimates.Milliseconds(i, d)))];
        }

        Volatile.Write(ref _explore, explore);

        // Routing: the planned device first, then every other measured device in service that can run the node.
        var routes = new Route[result.Length][];
        for (int i = 0; i < result.Length; i++)
        {
            var node = _definition.Nodes[i];
            double planned = _estimates.Milliseconds(i, result[i]);
            var list = new List<Route> { new(result[i], double.IsNaN(planned) ? 0 : planned) };
            if (!node.Merge && !double.IsNaN(planned))
            {
                for (int d = 0; d < _queues.Length; d++)
                {
                    double ms = _estimates.Milliseconds(i, d);
                    if (d != result[i] && !double.IsNaN(ms) && inService.Contains(_queues[d].Device)
                        && _queues[d].Device.CanHost(node))
                    {
                        list.Add(new Route(d, ms));
                    }
                }
            }

            routes[i] = [.. list];
        }

        Volatile.Write(ref _routes, routes);
        _estimates.OnPlanned();
        return result;
    }

    /// <summary>Takes a device out for this graph (its breaker for one of the graph's operators opened) and re-plans.</summary>
    private void TakeOut(int device, TimeSpan duration, string reason)
    {
        long until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long previous = Interlocked.Exchange(ref _outUntil[device], until);
        if (previous < Stopwatch.GetTimestamp())
        {
            _runtime.LogDeviceOut(_queues[device].Name, $"graph {_definition.Name}", reason, duration.TotalMilliseconds);
        }

        TryReplan(Stopwatch.GetTimestamp(), "device-out", force: true);
    }

    /// <summary>A device a node may run on, with its expected time there when the plan was made.</summary>
    private readonly record struct Route(int Device, double Milliseconds);

    /// <summary>The plan as admission sees it: the critical path (wall time), and each node's device and expected occupancy of it (what a request reserves).</summary>
    private sealed record PlanSnapshot(double CriticalPathMs, int[] Queue, long[] Ticks, long At)
    {
        /// <summary>Per node, the longest expected path (ms) after it.</summary>
        public double[] After { get; init; } = [];

        /// <summary>The variance of the critical path's time (ms²): its nodes' variances summed.</summary>
        public double PathVariance { get; init; }

        /// <summary>Per device, the largest variance per millisecond of expected time (ms) among the graph's nodes on it.</summary>
        public double[] SpreadPerMs { get; init; } = [];

        /// <summary>Per device, the largest standard error of a mean per millisecond of it among the graph's nodes on it.</summary>
        public double[] MeanErrorPerMs { get; init; } = [];

        /// <summary>What the recent prediction errors add at the SLA percentile (ms).</summary>
        public double HeadroomMs { get; init; }

        /// <summary>Whether every node that runs an operator has been measured on its device.</summary>
        public bool Measured { get; init; }
    }

    /// <summary>A request's predicted latency at the SLA percentile and its parts (ms).</summary>
    /// <param name="PathMs">The critical path (means).</param>
    /// <param name="BacklogMs">The backlog of the device that makes the request latest.</param>
    /// <param name="Busiest">That device, or null when none has a backlog.</param>
    /// <param name="SpreadMs">z × the standard deviation of path and backlog.</param>
    /// <param name="HeadroomMs">The headroom (observed, or the least).</param>
    /// <param name="MarginMs">What is added for the percentile: spread and headroom, at most a multiple of the backlog.</param>
    private readonly record struct Prediction(double PathMs, double BacklogMs, string? Busiest, double SpreadMs, double HeadroomMs, double MarginMs)
    {
        public double Total => PathMs + BacklogMs + MarginMs;

        /// <summary>The prediction at the percentile from the model alone (what prediction errors are measured against).</summary>
        public double ModelMs => PathMs + BacklogMs + SpreadMs;
    }

    private string DescribePlacement(int[] placement) =>
        string.Join(", ", _definition.Nodes.Select(n => $"{n.Name}→{_queues[placement[n.Id]].Name}"));

    [LoggerMessage(EventId = AgentDslEventIds.GraphPlaced, Level = LogLevel.Information, Message = "Graph {GraphName}: {NodeCount} nodes placed: {Placement}")]
    private partial void LogGraphPlaced(string graphName, int nodeCount, string placement);

    [LoggerMessage(EventId = AgentDslEventIds.GraphReplanned, Level = LogLevel.Information, Message = "Graph {GraphName} re-planned ({Reason}): {Moves}")]
    private partial void LogReplanned(string graphName, string reason, string moves);

    [LoggerMessage(EventId = AgentDslEventIds.ReplanFailed, Level = LogLevel.Error, Message = "Graph {GraphName}: re-planning ({Reason}) failed: {Message}")]
    private partial void LogReplanFailed(string graphName, string reason, string message);

    [LoggerMessage(EventId = AgentDslEventIds.RequestRejected, Level = LogLevel.Debug, Message = "Graph {GraphName}: request rejected ({Reason}): {Message}")]
    private partial void LogRejected(string graphName, string reason, string message);

    [LoggerMessage(EventId = AgentDslEventIds.RunCompleted, Level = LogLevel.Debug, Message = "Graph {GraphName}: request completed in {ElapsedMs} ms")]
    private partial void LogDebugRunCompleted(string graphName, double elapsedMs);

    [LoggerMessage(EventId = AgentDslEventIds.SlaMissed, Level = LogLevel.Warning, Message = "Graph {GraphName}: request took {ElapsedMs} ms, over its budget of {BudgetMs} ms")]
    private partial void LogSlaMissed(string graphName, double elapsedMs, double budgetMs);

    [LoggerMessage(EventId = AgentDslEventIds.RunFailed, Level = LogLevel.Error, Message = "Graph {GraphName}: request failed at node {NodeName} ({Source}) on device {Device}")]
    private partial void LogRunFailed(Exception exception, string graphName, string nodeName, string source, string device);

    [LoggerMessage(EventId = AgentDslEventIds.RunCancelled, Level = LogLevel.Information, Message = "Graph {GraphName}: request cancelled")]
    private partial void LogRunCancelled(string graphName);

    [LoggerMessage(EventId = AgentDslEventIds.NodeCompleted, Level = LogLevel.Debug, Message = "Graph {GraphName}: node {NodeName} completed on {Device} in {ElapsedMs} ms")]
    private partial void LogDebugNodeCompleted(string graphName, string nodeName, string device, double elapsedMs);

    [LoggerMessage(EventId = AgentDslEventIds.NodeRetried, Level = LogLevel.Information, Message = "Graph {GraphName}: node {NodeName} attempt {Attempt} failed on {Device} ({Error}); retrying")]
    private partial void LogRetry(string graphName, string nodeName, int attempt, string device, string error);
}
