using AgentDsl.Generated;
using System.Diagnostics;
using System.Globalization;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Ir;

namespace AgentDsl.Execution;

public sealed partial class AgentRunner<TGraph>
{
    private sealed class Work(string graph, NodeDefinition node, NodeValues values, TGraph instance) : NodeWork(graph, node, values)
    {
        public override ValueTask InvokeManagedAsync(CancellationToken cancellationToken) =>
            TGraph.InvokeNodeAsync(instance, Node.Id, Values, cancellationToken);
    }

    /// <summary>How deep nodes run inline on this thread (not in the generic class: thread statics there cost a lookup).</summary>
    private static class InlineDepth
    {
        [ThreadStatic]
        public static int Value;
    }

    /// <summary>A request's state of one node.</summary>
    private struct NodeState
    {
        /// <summary>Predecessors not yet ended; the node is ready at 0.</summary>
        public int WaitingOn;

        /// <summary>The device queue index it was sent to.</summary>
        public int Device;

        /// <summary>Not started, <c>Running</c> or <c>Done</c> (read by the deadline and abandonment paths).</summary>
        public int Phase;

        /// <summary>1 once the work reserved for it at admission was given back.</summary>
        public int Unreserved;

        /// <summary>Its <c>if</c> arm was not taken (or a merge found no version that ran).</summary>
        public bool Skipped;
    }

    /// <summary>The state of one request.</summary>
    private sealed partial class Run : INodeWorkCompletion
    {
        private const int MaxInlineDepth = 64;

        private readonly AgentRunner<TGraph> _runner;
        // One array for every per-node field of the request (one allocation instead of five).
        private readonly NodeState[] _nodes;
        private readonly Timing[] _timings;
        private readonly CancellationToken _requestToken;
        // The request's token comes from a plain source, made on first use (only operators that take a token, devices
        // other than the managed CPU, retries and cancellation need one: a chain of plain operators makes none) and never
        // disposed (it has no timer, no wait handle and no links: nothing to release, and a late reader never meets a
        // disposed source). It is not linked to the caller's token and the host's: the request cancels it itself (a failed
        // node, its deadline) and from one callback on each of those tokens (Watch). A linked source with a registration of
        // its own cost ≈ 260 B a request.
        private CancellationTokenSource? _cts;
        private CancellationTokenRegistration _onCallerCancelled;
        private CancellationTokenRegistration _onShutdown;
        private int _cancelled;
        private readonly bool _hardDeadline;
        private int _lastEnded = -1;
        private int _ended;
        private volatile bool _deadlinePassed;
        private Timer? _deadlineTimer;
        private Timer? _graceTimer;
        // Completed from the thread that finished the last node, at the end of its work: the caller's continuation runs
        // there (as it would after a direct await) instead of costing another thread-pool hop.
        private readonly TaskCompletionSource<AgentRunResult> _completion = new();
        private readonly long _start;
        private readonly long _budgetTicks;
        private readonly Activity? _activity;
        private readonly ExecutionContext? _context = ExecutionContext.Capture();
        private int _inFlight;
        private Exception? _failure;
        private int _failedNode = -1;
        private double _cost;
        private readonly PlanSnapshot? _reservation;
        private readonly double _predictedMs;
        private readonly int[]? _arrived;

        /// <param name="runner">The runner.</param>
        /// <param name="inputs">The flow's arguments.</param>
        /// <param name="arrival">When the request arrived (Stopwatch ticks).</param>
        /// <param name="budgetTicks">Its budget (0: none).</param>
        /// <param name="hardDeadline">Whether the budget is the caller's (<see cref="AgentRequestOptions.Budget"/>): its token is then cancelled at the deadline.</param>
        /// <param name="reservation">The work reserved at admission.</param>
        /// <param name="predictedMs">The latency admission predicted for the request (ms).</param>
        /// <param name="cancellationToken">The caller's token.</param>
        public Run(AgentRunner<TGraph> runner, object?[] inputs, long arrival, long budgetTicks, bool hardDeadline, PlanSnapshot? reservation, double predictedMs, CancellationToken cancellationToken)
        {
            _reservation = reservation;
            _predictedMs = predictedMs;
            _arrived = runner._batching.BatchedNodes.Length > 0 ? new int[runner._definition.Nodes.Length] : null;
            _hardDeadline = hardDeadline && budgetTicks > 0;
            _runner = runner;
            var def = runner._definition;
            Values = new NodeValues(inputs, def.Nodes.Length) { Services = runner._services };
            _nodes = new NodeState[def.Nodes.Length];
            for (int i = 0; i < _nodes.Length; i++)
            {
                _nodes[i].WaitingOn = def.DependencyCountOf(i);
            }

            _timings = new Timing[def.Nodes.Length];
            _requestToken = cancellationToken;
            var outer = Activity.Current;
            _activity = AgentDslTelemetry.ActivitySource.StartActivity(AgentDslTelemetry.RunActivityName, ActivityKind.Internal);
            if (_activity is not null)
            {
                Activity.Current = outer; // the request's span is the nodes' parent by context, not current on the caller's thread
            }

            _activity?.SetTag("agentdsl.graph", def.Name);
            _activity?.SetTag("agentdsl.nodes", def.Nodes.Length);
            _start = arrival;
            _budgetTicks = budgetTicks;
            RequestId = Interlocked.Increment(ref runner._requestIds);
            DeadlineTicks = budgetTicks > 0 ? arrival + budgetTicks : long.MaxValue;
            DeadlineUtc = budgetTicks > 0 ? DateTimeOffset.UtcNow + TimeSpan.FromSeconds(budgetTicks / (double)Stopwatch.Frequency) : DateTimeOffset.MaxValue;
        }

        public NodeValues Values { get; }

        /// <summary>The caller's text sink (<see cref="AgentRequestOptions.OnText"/>), handed to devices with the work.</summary>
        public Action<NodeText>? OnText { get; init; }

        /// <summary>The request's token: cancelled by a failed node, its deadline, the caller or the host's shutdown.</summary>
        public CancellationToken Token => (Volatile.Read(ref _cts) ?? CreateSource()).Token;

        private CancellationTokenSource CreateSource()
        {
            var created = new CancellationTokenSource();
            var source = Interlocked.CompareExchange(ref _cts, created, null) ?? created;
            if (Volatile.Read(ref _cancelled) != 0)
            {
                TryCancel(source); // cancelled before anyone asked for the token
            }

            return source;
        }

        public long RequestId { get; }

        /// <summary>The deadline in Stopwatch ticks (orders the device queues).</summary>
        public long DeadlineTicks { get; }

        public DateTimeOffset DeadlineUtc { get; }

        public int DeviceOf(int nodeId) => _nodes[nodeId].Device;

        public void SetDevice(int nodeId, int device) => _nodes[nodeId].Device = device;

        public Task<AgentRunResult> ExecuteAsync()
        {
            var roots = _runner._definition.Roots;

            // Hold one in-flight slot while the roots start so the request cannot complete early. The last root runs on
            // the caller's thread (a synchronous graph completes before RunAsync returns, with no thread-pool hop), unless
            // it is CPU work that takes a compute slot: that never holds the caller's thread (many callers would otherwise
            // queue for threads before RunAsync is even called, where neither admission nor the latency sees them).
            _inFlight = 1;
            if (roots.Length > 0)
            {
                Watch();
            }

            for (int i = 0; i < roots.Length; i++)
            {
                Start(roots[i], inline: i == roots.Length - 1 && !_runner.TakesComputeSlot(roots[i]));
            }

            Finish();
            return _completion.Task;
        }

        /// <summary>Starts a ready node in a new in-flight slot: on this thread when <paramref name="inline"/> (and the stack allows), else on the pool.</summary>
        private void Start(int nodeId, bool inline)
        {
            Interlocked.Increment(ref _inFlight);
            if (inline && InlineDepth.Value < MaxInlineDepth)
            {
                RunInline(nodeId, 0);
            }
            else
            {
                ThreadPool.QueueUserWorkItem(static state => state.Run.RunNode(state.NodeId, 0), (Run: this, NodeId: nodeId), preferLocal: true);
            }
        }

        /// <summary>Runs a node on this thread, one level deeper (bounded: a long chain of synchronous nodes would otherwise grow the stack without limit).</summary>
        /// <param name="nodeId">The node.</param>
        /// <param name="now">A timestamp taken just now (the releasing node's end), or 0 to read the clock.</param>
        private void RunInline(int nodeId, long now)
        {
            InlineDepth.Value++;
            try
            {
                RunNode(nodeId, now);
            }
            finally
            {
                InlineDepth.Value--;
            }
        }

        /// <summary>
        /// Runs one node up to its first await: skipped, merged, or started on its device. Work that completes at once
        /// finishes here with no async frame; pending work is awaited by a pooled <see cref="NodeWaiter"/>; retries,
        /// batching and queued devices take <see cref="RunSlowAsync"/>.
        /// </summary>
        private void RunNode(int nodeId, long now)
        {
            var node = _runner._definition.Nodes[nodeId];
            Activity? activity = null, outer = null;
            if (AgentDslTelemetry.ActivitySource.HasListeners())
            {
                outer = Activity.Current;
                activity = StartNodeActivity(node); // current while the operator runs (and in what it awaits)
            }

            Unreserve(nodeId);
            Arrive(nodeId);
            try
            {
                if (!ShouldRun(node, activity))
                {
                    activity?.Dispose();
                    if (!Release(nodeId, 0))
                    {
                        Finish();
                    }

                    return;
                }

                // A node queued before the request was cancelled does not start; the request's failure names the node
                // that was running (or ran last) when it was cancelled, not this one, which never ran.
                if (Volatile.Read(ref _cancelled) != 0)
                {
                    activity?.Dispose();
                    Fail(Blame(), new OperationCanceledException(Token));
                    Finish();
                    return;
                }

                Volatile.Write(ref _nodes[nodeId].Phase, Running);
                if (!_runner.TryBeginFast(this, node, now, out var attempt))
                {
                    _ = RunSlowAsync(node, activity, Token);
                    return;
                }

                // The common case: the device's work is started here and awaited without an async frame.
                ValueTask pending;
                try
                {
                    pending = _runner.StartWork(this, node, ref attempt);
                }
                catch (Exception ex)
                {
                    pending = ValueTask.FromException(ex);
                }

                if (pending.IsCompleted)
                {
                    AfterWork(node, pending, attempt, activity);
                }
                else
                {
                    attempt.SyncEnded = Stopwatch.GetTimestamp(); // the rest is awaited: not on a core
                    NodeWaiter.Wait(this, nodeId, pending, attempt, activity); // no async frame: calls OnWorkCompleted
                }
            }
            catch (Exception ex)
            {
                NodeFailed(nodeId, activity, ex);
            }
            finally
            {
                if (activity is not null)
                {
                    // Not an async method: the node's span must not stay current on this thread (the caller's, when the
                    // node started inline) once the node has started.
                    Activity.Current = outer;
                }
            }
        }

        private Activity? StartNodeActivity(NodeDefinition node)
        {
            var activity = AgentDslTelemetry.ActivitySource.StartActivity(AgentDslTelemetry.NodeActivityName, ActivityKind.Internal, _activity?.Context ?? default);
            activity?.SetTag("agentdsl.graph", _runner._definition.Name);
            activity?.SetTag("agentdsl.node", node.Name);
            activity?.SetTag("agentdsl.operator", node.Operator);
            return activity;
        }

        /// <summary>
        /// Whether the node runs its operator: false when its condition skips it, when it is a merge (done here), or when
        /// the request has already failed. Throws when it would read a skipped node's result.
        /// </summary>
        private bool ShouldRun(NodeDefinition node, Activity? activity)
        {
            int nodeId = node.Id;
            if (node.IsConditional && !GuardsHold(node.Guards))
            {
                // Not taken: the node and (through its own guards) its arm are skipped; dependents still get released.
                _nodes[nodeId].Skipped = true;
                activity?.SetTag("agentdsl.skipped", true);
                AgentDslTelemetry.NodesSkipped.Add(1, _runner._graphTag, new("agentdsl.node", node.Name));
                return false;
            }

            if (node.Merge)
            {
                // The latest version of the local that was computed on this request's path.
                _nodes[nodeId].Skipped = !TryMerge(node);
                return false;
            }

            if (Volatile.Read(ref _failure) is not null)
            {
                return false;
            }

            if (_runner._definition.HasBranches)
            {
                foreach (var input in node.Inputs)
                {
                    if (input.Value.Source == ValueSource.Node && _nodes[input.Value.Index].Skipped)
                    {
                        throw new InvalidOperationException(
                            $"Parameter '{input.Parameter}' reads the result of {_runner._definition.Nodes[input.Value.Index].Describe()}, which was skipped by its condition; the graph's guards are inconsistent.");
                    }
                }
            }

            return true;
        }

        /// <summary>The fast path's pending work completed (see <see cref="NodeWaiter"/>): continues in the request's execution context.</summary>
        void INodeWorkCompletion.OnWorkCompleted(int nodeId, ValueTask work, in NodeAttempt attempt, Activity? activity)
        {
            var node = _runner._definition.Nodes[nodeId];
            var context = _context;
            var current = ExecutionContext.Capture();
            if (context is null || current is null || ReferenceEquals(context, current))
            {
                AfterWork(node, work, attempt, activity);
                return;
            }

            // The completing thread may carry the operator's own context (or a foreign one): nodes after this one run in
            // the request's, as after an await.
            ExecutionContext.Restore(context);
            try
            {
                AfterWork(node, work, attempt, activity);
            }
            finally
            {
                ExecutionContext.Restore(current);
            }
        }

        /// <summary>The fast path's work has completed: its outcome, or (when it failed) retries if it never started.</summary>
        private void AfterWork(NodeDefinition node, ValueTask work, in NodeAttempt attempt, Activity? activity)
        {
            try
            {
                work.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                _ = RetryAfterFastFailureAsync(node, attempt, ex, activity, Token);
                return;
            }

            Completed(node, _runner.AttemptSucceeded(node, attempt), activity);
        }

        private async Task RetryAfterFastFailureAsync(NodeDefinition node, NodeAttempt attempt, Exception error, Activity? activity, CancellationToken token)
        {
            if (activity is not null)
            {
                Activity.Current = activity; // a retry runs inside the node's span (this method's own context)
            }

            NodeOutcome outcome;
            try
            {
                outcome = await _runner.FastFailedAsync(this, node, attempt, error, token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                NodeFailed(node.Id, activity, ex);
                return;
            }

            Completed(node, outcome, activity);
        }

        /// <summary>The general path: retries, batching, a device with a queue.</summary>
        private async Task RunSlowAsync(NodeDefinition node, Activity? activity, CancellationToken token)
        {
            NodeOutcome outcome;
            try
            {
                outcome = await _runner.ExecuteNodeAsync(this, node, token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                NodeFailed(node.Id, activity, ex);
                return;
            }

            Completed(node, outcome, activity);
        }

        private void NodeFailed(int nodeId, Activity? activity, Exception exception)
        {
            NodeEnded(nodeId);
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity?.Dispose();
            Fail(nodeId, exception);
            Finish();
        }

        /// <summary>Records how the node ran (timing, cost, metrics), then releases its dependents.</summary>
        private void Completed(NodeDefinition node, in NodeOutcome outcome, Activity? activity)
        {
            int nodeId = node.Id;
            if (_runner._resultNotNull[nodeId] && Values.Result(nodeId) is null)
            {
                // The producer broke its contract: it fails, not the node that would read the null.
                NodeFailed(nodeId, activity, new InvalidOperationException(
                    $"{node.Describe()} returned null, but its operator's result type {node.ResultType} is not nullable."));
                return;
            }

            NodeEnded(nodeId);
            if (outcome.Ended != 0)
            {
                var queue = _runner._queues[outcome.Device];
                if (activity is not null)
                {
                    activity.SetTag("agentdsl.device", queue.Name);
                    if (outcome.Attempt > 0)
                    {
                        activity.SetTag("agentdsl.attempt", outcome.Attempt);
                    }

                    activity.Dispose();
                }

                _timings[nodeId] = new Timing(true, outcome.Device, outcome.Started, outcome.Ended, outcome.Attempt, outcome.BatchSize, outcome.Phases);
                if (queue.HourlyCostUsd > 0 || outcome.ReportedCostUsd > 0)
                {
                    double hours = (outcome.Ended - outcome.Started) / (double)Stopwatch.Frequency / 3600;
                    AddCost((hours * queue.HourlyCostUsd / outcome.BatchSize) + outcome.ReportedCostUsd); // a batch's busy time is shared
                }

                if (AgentDslTelemetry.NodeDuration.Enabled || _runner._logNodes)
                {
                    double ms = (outcome.Ended - outcome.Started) * 1000.0 / Stopwatch.Frequency;
                    AgentDslTelemetry.NodeDuration.Record(ms, _runner._graphTag, new("agentdsl.node", node.Name), queue.Tag);
                    if (_runner._logNodes)
                    {
                        RunnerLog.DebugNodeCompleted(_runner._logger, _runner._definition.Name, node.Name, queue.Name, ms);
                    }
                }
            }
            else
            {
                activity?.Dispose();
            }

            if (!Release(nodeId, outcome.Ended))
            {
                Finish();
            }
        }

        /// <summary>The request reached (or will never reach) a batched node: one fewer that its batch could wait for.</summary>
        private void Arrive(int nodeId)
        {
            // Atomic: a request ended without waiting for an abandoned node may see that node arrive late.
            if (_arrived is not null && _runner._batching.IsBatched(nodeId) && Interlocked.Exchange(ref _arrived[nodeId], 1) == 0)
            {
                _runner._batching.Arrived(nodeId);
            }
        }

        /// <summary>Gives back the work reserved for the node at admission: it is now queued, running, or skipped.</summary>
        private void Unreserve(int nodeId)
        {
            if (_reservation is not null && Interlocked.Exchange(ref _nodes[nodeId].Unreserved, 1) == 0)
            {
                _runner._queues[_reservation.Queue[nodeId]].Reserve(-_reservation.Ticks[nodeId]);
            }
        }

        private void AddCost(double usd)
        {
            if (usd <= 0)
            {
                return;
            }

            double current = Volatile.Read(ref _cost);
            while (true)
            {
                double seen = Interlocked.CompareExchange(ref _cost, current + usd, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }

        /// <summary>
        /// Counts a finished (or skipped) node and starts the dependents it was the last dependency of. True when the
        /// last of them ran on this thread and took over the node's in-flight slot (then the caller must not call
        /// <see cref="Finish"/>): a chain costs no atomic operations on the request's count.
        /// </summary>
        /// <param name="nodeId">The node.</param>
        /// <param name="ended">When it ended (0 when unknown): the start time of a dependent run next on this thread.</param>
        private bool Release(int nodeId, long ended)
        {
            if (Volatile.Read(ref _failure) is not null)
            {
                return false;
            }

            var dependents = _runner._definition.DependentsOf(nodeId);
            int lastReady = -1;
            foreach (int dependent in dependents)
            {
                if (Interlocked.Decrement(ref _nodes[dependent].WaitingOn) == 0)
                {
                    // Run the last ready dependent on this thread (a chain costs no dispatch); others go to the pool,
                    // except measured-cheap synchronous CPU nodes and asynchronous ones, which cost less to start here.
                    if (lastReady >= 0)
                    {
                        Start(lastReady, inline: _runner.RunsInline(lastReady));
                        ended = 0; // time has passed (a sibling may have run here)
                    }

                    lastReady = dependent;
                }
            }

            if (lastReady < 0)
            {
                return false;
            }

            if (InlineDepth.Value >= MaxInlineDepth)
            {
                Start(lastReady, inline: false);
                return false;
            }

            RunInline(lastReady, ended); // holds this node's slot from here
            return true;
        }
    }
}
