using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Diagnostics;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.Execution;

/// <summary>
/// Runs requests through <typeparamref name="TGraph"/> as a dataflow: a node starts as soon as the
/// nodes it reads from have finished, on the device the placement policy chose for it; independent
/// branches run concurrently. The first failure cancels the rest of the request and, once every
/// started node has stopped, fails it with an <see cref="AgentNodeException"/> naming the node.
/// </summary>
/// <typeparam name="TGraph">The graph class.</typeparam>
public sealed partial class AgentRunner<TGraph> : IAgentRunner<TGraph>
    where TGraph : class, IAgentGraph<TGraph>
{
    private readonly TGraph _graph;
    private readonly GraphDefinition _definition;
    private readonly IAgentDevice[] _placement;
    private readonly ILogger _logger;
    private readonly bool _logNodes;
    private readonly KeyValuePair<string, object?> _graphTag;
    private readonly IServiceProvider? _services;

    /// <summary>Creates the runner and places the graph's nodes.</summary>
    /// <exception cref="PlacementException">A node fits none of <paramref name="devices"/>.</exception>
    public AgentRunner(
        TGraph graph,
        IEnumerable<IAgentDevice> devices,
        IEnumerable<IDeviceSource> deviceSources,
        IPlacementPolicy placementPolicy,
        IOptions<AgentDslOptions> options,
        ILogger<AgentRunner<TGraph>> logger,
        IServiceProvider? services = null)
    {
        _services = services;
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(deviceSources);
        ArgumentNullException.ThrowIfNull(placementPolicy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);

        _graph = graph;
        _definition = TGraph.Definition;
        _logger = logger;
        _logNodes = options.Value.LogNodes;
        _graphTag = new("agentdsl.graph", _definition.Name);

        var deviceList = devices.Concat(deviceSources.SelectMany(s => s.AgentDevices)).ToList();
        var placement = placementPolicy.Place(_definition, deviceList);
        if (placement.Count != _definition.Nodes.Length)
        {
            throw new PlacementException($"Graph '{_definition.Name}': the placement policy {placementPolicy.GetType().Name} placed {placement.Count} nodes; the graph has {_definition.Nodes.Length}.");
        }

        _placement = [.. placement];
        LogGraphPlaced(_definition.Name, _definition.Nodes.Length, string.Join(", ", _definition.Nodes.Select(n => $"{n.Name}→{_placement[n.Id].Descriptor.Name}")));
    }

    /// <summary>The graph this runner runs.</summary>
    public GraphDefinition Definition => _definition;

    /// <summary>The device of each node, indexed by node id.</summary>
    public IReadOnlyList<IAgentDevice> Placement => _placement;

    /// <inheritdoc/>
    public Task<AgentRunResult> RunUntypedAsync(object?[] inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != _definition.Inputs.Length)
        {
            throw new ArgumentException(
                $"Graph '{_definition.Name}' takes {_definition.Inputs.Length} inputs ({string.Join(", ", _definition.Inputs.Select(i => $"{i.Type} {i.Name}"))}); {inputs.Length} were given.",
                nameof(inputs));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new Run(this, inputs, cancellationToken).ExecuteAsync();
    }

    [LoggerMessage(EventId = AgentDslEventIds.GraphPlaced, Level = LogLevel.Information, Message = "Graph {GraphName}: {NodeCount} nodes placed: {Placement}")]
    private partial void LogGraphPlaced(string graphName, int nodeCount, string placement);

    [LoggerMessage(EventId = AgentDslEventIds.RunCompleted, Level = LogLevel.Debug, Message = "Graph {GraphName}: request completed in {ElapsedMs} ms")]
    private partial void LogDebugRunCompleted(string graphName, double elapsedMs);

    [LoggerMessage(EventId = AgentDslEventIds.SlaMissed, Level = LogLevel.Warning, Message = "Graph {GraphName}: request took {ElapsedMs} ms, over its SLA of {SlaMs} ms")]
    private partial void LogSlaMissed(string graphName, double elapsedMs, double slaMs);

    [LoggerMessage(EventId = AgentDslEventIds.RunFailed, Level = LogLevel.Error, Message = "Graph {GraphName}: request failed at node {NodeName} ({Source}) on device {Device}")]
    private partial void LogRunFailed(Exception exception, string graphName, string nodeName, string source, string device);

    [LoggerMessage(EventId = AgentDslEventIds.RunCancelled, Level = LogLevel.Information, Message = "Graph {GraphName}: request cancelled")]
    private partial void LogRunCancelled(string graphName);

    [LoggerMessage(EventId = AgentDslEventIds.NodeCompleted, Level = LogLevel.Debug, Message = "Graph {GraphName}: node {NodeName} completed on {Device} in {ElapsedMs} ms")]
    private partial void LogDebugNodeCompleted(string graphName, string nodeName, string device, double elapsedMs);

    private sealed class Work(string graph, NodeDefinition node, NodeValues values, TGraph instance) : NodeWork(graph, node, values)
    {
        public override ValueTask InvokeManagedAsync(CancellationToken cancellationToken) =>
            TGraph.InvokeNodeAsync(instance, Node.Id, Values, cancellationToken);
    }

    /// <summary>The state of one request.</summary>
    private sealed class Run
    {
        private readonly AgentRunner<TGraph> _runner;
        private readonly NodeValues _values;
        private readonly int[] _waitingOn;
        private readonly NodeRun?[] _timings;
        private readonly bool[] _skipped;
        private readonly CancellationToken _requestToken;
        private readonly CancellationTokenSource _cts;
        private readonly TaskCompletionSource<AgentRunResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly long _start;
        private readonly Activity? _activity;
        private int _remaining;
        private int _inFlight;
        private Exception? _failure;
        private int _failedNode = -1;

        public Run(AgentRunner<TGraph> runner, object?[] inputs, CancellationToken cancellationToken)
        {
            _runner = runner;
            var def = runner._definition;
            _values = new NodeValues(inputs, def.Nodes.Length) { Services = runner._services };
            _waitingOn = new int[def.Nodes.Length];
            for (int i = 0; i < _waitingOn.Length; i++)
            {
                _waitingOn[i] = def.DependencyCountOf(i);
            }

            _timings = new NodeRun?[def.Nodes.Length];
            _skipped = new bool[def.Nodes.Length];
            _remaining = def.Nodes.Length;
            _requestToken = cancellationToken;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _activity = AgentDslTelemetry.ActivitySource.StartActivity(AgentDslTelemetry.RunActivityName, ActivityKind.Internal);
            _activity?.SetTag("agentdsl.graph", def.Name);
            _activity?.SetTag("agentdsl.nodes", def.Nodes.Length);
            _start = Stopwatch.GetTimestamp();
        }

        public Task<AgentRunResult> ExecuteAsync()
        {
            var roots = _runner._definition.Roots;

            // Hold one in-flight slot while the roots start so the request cannot complete early.
            _inFlight = 1;
            for (int i = 0; i < roots.Length; i++)
            {
                Start(roots[i], inline: false);
            }

            Finish();
            return _completion.Task;
        }

        private void Start(int nodeId, bool inline)
        {
            Interlocked.Increment(ref _inFlight);
            if (inline)
            {
                _ = RunNodeAsync(nodeId);
            }
            else
            {
                ThreadPool.QueueUserWorkItem(static state => _ = state.Run.RunNodeAsync(state.NodeId), (Run: this, NodeId: nodeId), preferLocal: false);
            }
        }

        private async Task RunNodeAsync(int nodeId)
        {
            var node = _runner._definition.Nodes[nodeId];
            var device = _runner._placement[nodeId];
            using var activity = AgentDslTelemetry.ActivitySource.StartActivity(AgentDslTelemetry.NodeActivityName, ActivityKind.Internal, _activity?.Context ?? default);
            activity?.SetTag("agentdsl.graph", _runner._definition.Name);
            activity?.SetTag("agentdsl.node", node.Name);
            activity?.SetTag("agentdsl.operator", node.Operator);
            activity?.SetTag("agentdsl.device", device.Descriptor.Name);

            long started = Stopwatch.GetTimestamp();
            bool skip = false;
            try
            {
                skip = node.IsConditional && !GuardsHold(node.Guards);
                if (skip)
                {
                    // Not taken: the node and (through its own guards) its arm are skipped; dependents still get released.
                    _skipped[nodeId] = true;
                    activity?.SetTag("agentdsl.skipped", true);
                    AgentDslTelemetry.NodesSkipped.Add(1, _runner._graphTag, new("agentdsl.node", node.Name));
                }
                else if (node.Merge)
                {
                    // The latest version of the local that was computed on this request's path.
                    skip = !TryMerge(node);
                    if (skip)
                    {
                        _skipped[nodeId] = true;
                    }
                    else
                    {
                        Release(nodeId);
                        Finish();
                        return;
                    }
                }
                else if (Volatile.Read(ref _failure) is null)
                {
                    foreach (var input in node.Inputs)
                    {
                        if (input.Value.Source == ValueSource.Node && _skipped[input.Value.Index])
                        {
                            throw new InvalidOperationException(
                                $"Parameter '{input.Parameter}' reads the result of {_runner._definition.Nodes[input.Value.Index].Describe()}, which was skipped by its condition; the graph's guards are inconsistent.");
                        }
                    }

                    // A node queued before the request was cancelled does not start.
                    _cts.Token.ThrowIfCancellationRequested();
                    await device.RunAsync(new Work(_runner._definition.Name, node, _values, _runner._graph), _cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                Fail(nodeId, ex);
                Finish();
                return;
            }

            if (skip)
            {
                Release(nodeId);
                Finish();
                return;
            }

            long ended = Stopwatch.GetTimestamp();
            var duration = Stopwatch.GetElapsedTime(started, ended);
            _timings[nodeId] = new NodeRun(nodeId, node.Name, device.Descriptor.Name, Stopwatch.GetElapsedTime(_start, started), duration);
            AgentDslTelemetry.NodeDuration.Record(
                duration.TotalMilliseconds,
                _runner._graphTag,
                new("agentdsl.node", node.Name),
                new("agentdsl.device", device.Descriptor.Name));
            if (_runner._logNodes)
            {
                _runner.LogDebugNodeCompleted(_runner._definition.Name, node.Name, device.Descriptor.Name, duration.TotalMilliseconds);
            }

            Release(nodeId);
            Finish();
        }

        /// <summary>Counts a finished (or skipped) node and starts the dependents it was the last dependency of.</summary>
        private void Release(int nodeId)
        {
            if (Volatile.Read(ref _failure) is null)
            {
                var dependents = _runner._definition.DependentsOf(nodeId);
                int lastReady = -1;
                foreach (int dependent in dependents)
                {
                    if (Interlocked.Decrement(ref _waitingOn[dependent]) == 0)
                    {
                        // Run the last ready dependent on this thread (a chain costs no dispatch); others go to the pool.
                        if (lastReady >= 0)
                        {
                            Start(lastReady, inline: false);
                        }

                        lastReady = dependent;
                    }
                }

                Interlocked.Decrement(ref _remaining);
                if (lastReady >= 0)
                {
                    Start(lastReady, inline: true);
                }
            }
        }

        /// <summary>Stores the first input of a merge node whose node ran; false when none did.</summary>
        private bool TryMerge(NodeDefinition node)
        {
            foreach (var input in node.Inputs)
            {
                switch (input.Value)
                {
                    case { Source: ValueSource.Input, Index: var i }:
                        _values.SetResult(node.Id, _values.Input(i));
                        return true;
                    case { Source: ValueSource.Node, Index: var n } when !_skipped[n]:
                        _values.SetResult(node.Id, _values.Result(n));
                        return true;
                }
            }

            return false;
        }

        /// <summary>Whether every guard's deciding node ran and returned the value the guard needs.</summary>
        private bool GuardsHold(IReadOnlyList<NodeGuard> guards)
        {
            foreach (var guard in guards)
            {
                if (_skipped[guard.Node] || _values.Result(guard.Node) is not bool decided || decided != guard.When)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The value of the return the flow took: the first whose guards hold.</summary>
        private object? SelectOutput()
        {
            foreach (var ret in _runner._definition.Returns)
            {
                if (!GuardsHold(ret.Guards))
                {
                    continue;
                }

                return ret.Value switch
                {
                    { Source: ValueSource.Node, Index: var n } when _skipped[n] => throw new InvalidOperationException(
                        $"The flow's return reads {_runner._definition.Nodes[n].Describe()}, which was skipped by its condition."),
                    { Source: ValueSource.Node, Index: var n } => _values.Result(n),
                    { Source: ValueSource.Input, Index: var i } => _values.Input(i),
                    _ => null,
                };
            }

            if (_runner._definition.Returns.Length > 0)
            {
                throw new InvalidOperationException($"No return of flow '{_runner._definition.Flow}' was reached: the guards of its {_runner._definition.Returns.Length} returns all failed.");
            }

            return null;
        }

        private void Fail(int nodeId, Exception exception)
        {
            if (Interlocked.CompareExchange(ref _failure, exception, null) is null)
            {
                _failedNode = nodeId;
                try
                {
                    _cts.Cancel();
                }
                catch (AggregateException)
                {
                    // A callback registered by an operator threw; the request fails with the first error anyway.
                }
            }
        }

        /// <summary>Called when a node stops (or the start-up slot is released); completes the request when nothing is in flight.</summary>
        private void Finish()
        {
            if (Interlocked.Decrement(ref _inFlight) != 0)
            {
                return;
            }

            var elapsed = Stopwatch.GetElapsedTime(_start);
            var def = _runner._definition;
            var failure = Volatile.Read(ref _failure);
            _cts.Dispose();
            if (failure is null && Volatile.Read(ref _remaining) == 0)
            {
                object? output;
                try
                {
                    output = SelectOutput();
                }
                catch (InvalidOperationException ex)
                {
                    AgentDslTelemetry.Requests.Add(1, _runner._graphTag, new("agentdsl.outcome", "failed"));
                    _activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                    _activity?.Dispose();
                    _completion.TrySetException(new InvalidOperationException($"Graph '{def.Name}': {ex.Message}", ex));
                    return;
                }

                var nodes = _timings.Where(t => t is not null).Select(t => t!).ToArray();
                var result = new AgentRunResult(def, output, elapsed, nodes)
                {
                    SkippedNodes = def.HasBranches ? [.. Enumerable.Range(0, _skipped.Length).Where(i => _skipped[i])] : [],
                };
                AgentDslTelemetry.RequestDuration.Record(elapsed.TotalMilliseconds, _runner._graphTag);
                AgentDslTelemetry.Requests.Add(1, _runner._graphTag, new("agentdsl.outcome", "completed"));
                _activity?.SetTag("agentdsl.met_sla", result.MetSla);
                _activity?.Dispose();
                _runner.LogDebugRunCompleted(def.Name, elapsed.TotalMilliseconds);
                if (!result.MetSla)
                {
                    _runner.LogSlaMissed(def.Name, elapsed.TotalMilliseconds, def.Sla.LatencyMs);
                }

                _completion.TrySetResult(result);
                return;
            }

            if (failure is OperationCanceledException && _requestToken.IsCancellationRequested)
            {
                AgentDslTelemetry.Requests.Add(1, _runner._graphTag, new("agentdsl.outcome", "cancelled"));
                _activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
                _activity?.Dispose();
                _runner.LogRunCancelled(def.Name);
                _completion.TrySetCanceled(_requestToken);
                return;
            }

            var node = def.Nodes[_failedNode];
            string device = _runner._placement[_failedNode].Descriptor.Name;
            var error = new AgentNodeException(def.Name, node, device, failure ?? new InvalidOperationException("The request ended with nodes that never ran."));
            AgentDslTelemetry.Requests.Add(1, _runner._graphTag, new("agentdsl.outcome", "failed"));
            _activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            _activity?.Dispose();
            _runner.LogRunFailed(error.InnerException!, def.Name, node.Name, node.Source?.ToString() ?? "unknown", device);
            _completion.TrySetException(error);
        }
    }
}
