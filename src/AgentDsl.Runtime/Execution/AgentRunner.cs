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
    private readonly bool[] _takesToken; // the operator has a CancellationToken parameter
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
        _takesToken = [.. _definition.Nodes.Select(n => n.Inputs.Any(i => i.Value.Source == ValueSource.CancellationToken))];
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
