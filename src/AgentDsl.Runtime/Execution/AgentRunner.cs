using System.Diagnostics;
using System.Reflection;
using AgentDsl.Devices;
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
    /// <summary>The prefix of a user-registered Polly pipeline that replaces an operator's retry pipeline: <c>agentdsl:{graph}.{operator}</c>.</summary>
    public const string PipelineKeyPrefix = ResiliencePipelines.KeyPrefix;

    private readonly TGraph _graph;
    private readonly GraphDefinition _definition;
    private readonly AgentRuntime _runtime;
    private readonly DeviceQueue[] _queues;
    private readonly ILogger _logger;
    private readonly bool _logNodes;
    private readonly double _slowdownFactor;
    private readonly KeyValuePair<string, object?> _graphTag;
    private readonly IServiceProvider? _services;
    private readonly NodeEstimates _estimates;
    private readonly AgentGraphStatistics _statistics = new();
    private readonly long _slaTicks;
    private readonly TimeSpan _cancellationGrace;
    private readonly bool[] _resultNotNull;
    private readonly bool[] _takesToken; // the operator has a CancellationToken parameter
    private readonly Replanner _replanner;
    private readonly AdmissionController _admission;
    private readonly ResiliencePipelines _resilience;
    private readonly BatchCoordinator _batching;
    private long _requestIds;

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
        _logger = logger;
        var o = options.Value;
        _logNodes = o.LogNodes;
        _slowdownFactor = o.Replanning.SlowdownFactor;
        _cancellationGrace = o.CancellationGrace;
        _graphTag = new("agentdsl.graph", _definition.Name);
        _slaTicks = _definition.Sla.HasLatencyBound ? (long)(_definition.Sla.LatencyMs / 1000.0 * Stopwatch.Frequency) : 0;
        _estimates = new NodeEstimates(_definition.Nodes.Length, _queues, o.Replanning.EstimateLifetime, runtime.Calibration, _definition.Nodes);
        _resultNotNull = ResultsDeclaredNotNull(_definition);
        _takesToken = [.. _definition.Nodes.Select(n => n.Inputs.Any(i => i.Value.Source == ValueSource.CancellationToken))];
        _replanner = new Replanner(_definition, runtime, placementPolicy, _estimates, o, logger, _graphTag);
        _admission = new AdmissionController(_definition, runtime, _replanner, _estimates, o, _statistics, logger, _graphTag);
        _replanner.Replanned = _admission.Invalidate;
        _resilience = new ResiliencePipelines(_definition, _queues, o, services, _statistics, logger, _graphTag, _replanner.TakeOut);
        _batching = new BatchCoordinator(
            _definition, typeof(TGraph), graph, batches, TGraph.BatchForms, static (form, batchOptions) => new Batching.OperatorBatch<TGraph>(form, batchOptions),
            o, _replanner, _admission, _estimates, _graphTag);

        _replanner.Start();
        _runtime.DeviceStateChanged += _replanner.OnDeviceStateChanged;
    }

    /// <summary>The graph this runner runs.</summary>
    public GraphDefinition Definition => _definition;

    /// <summary>The device of each node under the current plan, indexed by node id.</summary>
    public IReadOnlyList<IAgentDevice> Placement => [.. _replanner.Placement.Select(d => _queues[d].Device)];

    /// <inheritdoc/>
    public AgentGraphStatistics Statistics => _statistics;

    /// <summary>
    /// The predicted latency of a request admitted now at the graph's SLA percentile, in milliseconds: the critical path
    /// under the current plan and measurements plus the backlog of the devices the plan uses, plus the spread of both at
    /// the percentile and the headroom the prediction errors of recent requests call for.
    /// </summary>
    public double PredictedLatencyMs => _admission.PredictedLatencyMs(Stopwatch.GetTimestamp(), _slaTicks * 1000.0 / Stopwatch.Frequency);

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
        if (_admission.Admit(now, budget, out var reservation, out double predictedMs) is { } rejected)
        {
            return Task.FromException<AgentRunResult>(rejected);
        }

        if (_batching.BatchedNodes.Length > 0)
        {
            _batching.Expect();
        }

        return new Run(this, inputs, now, budget, hardDeadline: options?.Budget is not null, reservation, predictedMs, cancellationToken) { OnText = options?.OnText }.ExecuteAsync();
    }

    /// <inheritdoc/>
    public void Dispose() => _runtime.DeviceStateChanged -= _replanner.OnDeviceStateChanged;

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
}
