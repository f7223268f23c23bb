using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using Polly;
using Polly.CircuitBreaker;

namespace AgentDsl.Execution;

public sealed partial class AgentRunner<TGraph>
{
    /// <summary>How one node ran: where, when, after how many attempts, at what reported extra cost.</summary>
    private readonly record struct NodeOutcome(int Device, long Started, long Ended, int Attempt, double ReportedCostUsd, int BatchSize = 1, IReadOnlyList<PhaseRun>? Phases = null);

    /// <summary>Runs a node to completion: retries (Polly) around attempts, each on the device the current plan gives it.</summary>
    private ValueTask<NodeOutcome> ExecuteNodeAsync(Run run, NodeDefinition node, CancellationToken cancellationToken)
    {
        var retry = _resilience.RetryOf(node.Id);
        if (retry is null)
        {
            return AttemptUntilStartedAsync(run, node, new AttemptCounter(), cancellationToken);
        }

        return ExecuteWithRetryAsync(run, node, retry, cancellationToken);
    }

    private async ValueTask<NodeOutcome> ExecuteWithRetryAsync(Run run, NodeDefinition node, ResiliencePipeline retry, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ResiliencePipelines.DeadlineKey, run.DeadlineTicks);
        try
        {
            var state = (Runner: this, Run: run, Node: node, Attempts: new AttemptCounter());
            return await retry.ExecuteAsync(
                static (ctx, s) => s.Runner.AttemptUntilStartedAsync(s.Run, s.Node, s.Attempts, ctx.CancellationToken),
                context,
                state).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// One attempt, repeated (on the new plan) while the device refuses the work before starting it: it reported itself
    /// unavailable, or its circuit is open. Such work never ran, so this is safe for every operator.
    /// </summary>
    private async ValueTask<NodeOutcome> AttemptUntilStartedAsync(Run run, NodeDefinition node, AttemptCounter attempts, CancellationToken cancellationToken)
    {
        int refused = 0;
        while (true)
        {
            int attempt = attempts.Next();
            long now = Stopwatch.GetTimestamp();
            _replanner.MaybeReplan(now);
            if (attempt == 0 && _batching.BatcherOf(node.Id) is { } batcher && _queues[_replanner.Placement[node.Id]].Device.Descriptor is { IsRemote: false, BatchesNodes: false })
            {
                // Micro-batched with the same node of concurrent requests (a retry runs alone); a remote device, or one that
                // batches by itself, gets each request's node on its own.
                run.SetDevice(node.Id, _replanner.Placement[node.Id]);
                var batched = await batcher.SubmitAsync(run.Values, run.DeadlineTicks, now, cancellationToken).ConfigureAwait(false);
                run.SetDevice(node.Id, batched.Device);
                return new NodeOutcome(batched.Device, batched.Started, batched.Ended, 0, 0, batched.Size);
            }

            var state = new NodeAttempt { Attempt = attempt, Device = _replanner.ChooseDevice(node, attempt, attempts.LastFailed, run.RequestId, now) };
            run.SetDevice(node.Id, state.Device);
            state.Queue = _queues[state.Device];
            state.Estimate = _replanner.EstimateTicks(node.Id, state.Device, now);

            // Waits for a slot, earliest deadline first; a cancelled wait takes no slot.
            var enter = state.Queue.EnterAsync(run.DeadlineTicks, state.Estimate, cancellationToken);
            state.Started = now;
            if (!enter.IsCompletedSuccessfully)
            {
                await enter.ConfigureAwait(false);
                state.Started = Stopwatch.GetTimestamp();
            }

            if (TakesComputeSlot(node, state.Queue))
            {
                // Synchronous CPU work: a compute slot too, earliest deadline first; while waiting, no thread is held.
                var compute = state.Queue.EnterComputeAsync(run.DeadlineTicks, cancellationToken);
                if (!compute.IsCompletedSuccessfully)
                {
                    try
                    {
                        await compute.ConfigureAwait(false);
                        state.Started = Stopwatch.GetTimestamp();
                    }
                    catch
                    {
                        state.Queue.Exit(0, state.Estimate);
                        throw;
                    }
                }

                state.Compute = true;
            }

            try
            {
                var pending = StartWork(run, node, ref state, cancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    state.SyncEnded = Stopwatch.GetTimestamp();
                    await pending.ConfigureAwait(false);
                }
                else
                {
                    pending.GetAwaiter().GetResult();
                }
            }
            catch (Exception ex)
            {
                attempts.LastFailed = state.Device;
                if (AttemptFailed(node, state, ex, cancellationToken, ref refused))
                {
                    continue;
                }

                throw;
            }

            return AttemptSucceeded(node, state);
        }
    }

    /// <summary>
    /// The fast path of a node's first attempt (no retry pipeline, no batching, a device that never queues): the slot is
    /// taken and the work started without an extra async frame; the caller awaits the returned work itself.
    /// </summary>
    private bool TryBeginFast(Run run, NodeDefinition node, long now, out NodeAttempt state)
    {
        state = default;
        if (_resilience.RetryOf(node.Id) is not null || _batching.IsBatched(node.Id))
        {
            return false;
        }

        if (now == 0)
        {
            now = Stopwatch.GetTimestamp(); // re-planning is checked once per request, at admission
        }

        int d = _replanner.ChooseDevice(node, 0, -1, run.RequestId, now);
        var queue = _queues[d];
        if (queue.Capacity != int.MaxValue)
        {
            return false;
        }

        // Synchronous CPU work runs here only with a free compute slot; else it queues for one (the slow path), and the
        // thread (the caller's, for a root) is not held.
        bool compute = TakesComputeSlot(node, queue);
        if (compute && !queue.TryEnterCompute())
        {
            return false;
        }

        run.SetDevice(node.Id, d);
        state = new NodeAttempt { Device = d, Queue = queue, Estimate = _replanner.EstimateTicks(node.Id, d, now), Started = now, Compute = compute };
        _ = queue.EnterAsync(run.DeadlineTicks, state.Estimate, CancellationToken.None); // unbounded: completes at once
        return true;
    }

    /// <summary>After the fast path's work failed: bookkeeping, then retries if the work was refused before starting.</summary>
    private ValueTask<NodeOutcome> FastFailedAsync(Run run, NodeDefinition node, NodeAttempt state, Exception exception, CancellationToken cancellationToken)
    {
        int refused = 0;
        if (AttemptFailed(node, state, exception, cancellationToken, ref refused))
        {
            return AttemptUntilStartedAsync(run, node, new AttemptCounter(next: 1) { LastFailed = state.Device }, cancellationToken);
        }

        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        return default;
    }

    /// <summary>Synchronous CPU work measured below this runs on the releasing thread instead of the thread pool.</summary>
    private const double InlineBelowMs = 0.02;

    /// <summary>
    /// Whether a ready node should start on the thread that released it rather than on the thread pool: a merge; an
    /// asynchronous operator on the managed CPU or a remote device (it runs only up to its first await, as a direct call
    /// of the flow would, so siblings start one after another without a pool hop each); or a synchronous operator on the
    /// unbounded CPU measured under 20 µs.
    /// </summary>
    private bool RunsInline(int nodeId)
    {
        var node = _definition.Nodes[nodeId];
        if (node.Merge)
        {
            return true;
        }

        if (node.FanOut is not null || node.Subgraph is not null || _batching.IsBatched(nodeId))
        {
            return false;
        }

        int d = _replanner.Placement[nodeId];
        var queue = _queues[d];
        if (node.IsAsync)
        {
            return queue.Device is CpuDevice || queue.Device.Descriptor.IsRemote;
        }

        return queue.Capacity == int.MaxValue && queue.Device is CpuDevice && _estimates.MeanOrNaN(nodeId, d) < InlineBelowMs;
    }

    /// <summary>
    /// Whether the node's run (under the current plan) takes a compute slot of its device's queue: a synchronous
    /// operator (not a merge, not a nested graph, which waits for its own nodes) on a device with compute slots (the
    /// unbounded CPU), unless measured so cheap (under 20 µs) that the slot would cost more than the run.
    /// </summary>
    private bool TakesComputeSlot(int nodeId) => TakesComputeSlot(_definition.Nodes[nodeId], _queues[_replanner.Placement[nodeId]]);

    /// <inheritdoc cref="TakesComputeSlot(int)"/>
    private bool TakesComputeSlot(NodeDefinition node, DeviceQueue queue) =>
        queue.HasComputeSlots && !node.IsAsync && !node.Merge && node.Subgraph is null && !(_estimates.MeanOrNaN(node.Id, queue.Index) < InlineBelowMs);

    /// <summary>Starts the attempt's work on its device (through its timeout/breaker pipeline, if any).</summary>
    /// <summary>Starts the node's work on its device; <paramref name="token"/> null: the request's own, made only if used.</summary>
    private ValueTask StartWork(Run run, NodeDefinition node, ref NodeAttempt state, CancellationToken? token = null)
    {
        var pipeline = _resilience.DevicePipeline(node, state.Device);
        if (pipeline is null && state.Queue.Device is CpuDevice && !CpuDevice.RunsKernels(node))
        {
            // What CpuDevice.RunAsync would do for a plain operator, without the work item: the generated invoker, directly.
            // An operator that takes no token is given none (the request then need not make its source).
            return TGraph.InvokeNodeAsync(_graph, node.Id, run.Values, token ?? (_takesToken[node.Id] ? run.Token : default));
        }

        var cancellationToken = token ?? run.Token;
        var work = new Work(_definition.Name, node, run.Values, _graph)
        {
            RequestId = run.RequestId,
            Deadline = run.DeadlineUtc,
            Attempt = state.Attempt,
            OnText = run.OnText,
        };
        state.Work = work;
        return pipeline is null ? state.Queue.Device.RunAsync(work, cancellationToken) : _resilience.RunThroughAsync(pipeline, state.Queue, work, run.DeadlineTicks, cancellationToken);
    }

    /// <summary>Frees the slot and records the measurement of a successful attempt.</summary>
    private NodeOutcome AttemptSucceeded(NodeDefinition node, in NodeAttempt state)
    {
        long ended = Stopwatch.GetTimestamp();
        int d = state.Device;
        if (state.Compute)
        {
            state.Queue.ExitCompute();
        }

        state.Queue.Exit(ended - state.Started, state.Estimate);
        OnMeasured(node.Id, d, ended - state.Started, (state.SyncEnded == 0 ? ended : state.SyncEnded) - state.Started, ended);
        var work = state.Work;
        return work is null
            ? new NodeOutcome(d, state.Started, ended, state.Attempt, 0)
            : new NodeOutcome(d, state.Started, ended, state.Attempt, work.ReportedCostUsd, Phases: work.Phases.Count > 0 ? work.Phases : null);
    }

    /// <summary>Feeds a run's time (wall, and on a core) to the estimates; a slow-down, or a first estimate off the plan's device, asks for a re-plan.</summary>
    private void OnMeasured(int nodeId, int device, long ticks, long cpuTicks, long now)
    {
        switch (_estimates.Record(nodeId, device, ticks * 1000.0 / Stopwatch.Frequency, cpuTicks * 1000.0 / Stopwatch.Frequency, _slowdownFactor, now))
        {
            case NodeEstimates.RecordResult.Slowdown:
                _replanner.Request(ReplanReason.Slowdown);
                break;
            case NodeEstimates.RecordResult.NewEstimate:
                _admission.Invalidate(); // admission sees it at once
                if (device != _replanner.Placement[nodeId])
                {
                    _replanner.RequestUnlessDue(ReplanReason.Calibrated); // a device measured off-plan may be better
                }

                break;
        }
    }

    /// <summary>
    /// Frees the slot of a failed attempt; true when the device refused the work before starting it (unavailable, or
    /// an open circuit) and it should be tried again on the new plan.
    /// </summary>
    private bool AttemptFailed(NodeDefinition node, in NodeAttempt state, Exception exception, CancellationToken cancellationToken, ref int refused)
    {
        bool unavailable = exception is DeviceUnavailableException;
        if (state.Compute)
        {
            state.Queue.ExitCompute();
        }

        state.Queue.Exit(unavailable || exception is BrokenCircuitException ? 0 : Stopwatch.GetTimestamp() - state.Started, state.Estimate);
        if (unavailable)
        {
            _runtime.TakeOut(state.Device, Stopwatch.GetTimestamp() + (long)(_resilience.OptionsOf(node.Id).BreakDuration.TotalSeconds * Stopwatch.Frequency), exception.Message);
        }

        if (exception is not (DeviceUnavailableException or BrokenCircuitException) || cancellationToken.IsCancellationRequested || ++refused > _queues.Length)
        {
            return false;
        }

        _statistics.OnRetry();
        AgentDslTelemetry.Retries.Add(1, _graphTag, new("agentdsl.node", node.Name), new("agentdsl.reason", unavailable ? "device-unavailable" : "circuit-open"));
        RunnerLog.Retry(_logger, _definition.Name, node.Name, state.Attempt, state.Queue.Name, exception.Message);
        return true;
    }

    /// <summary>Counts attempts across retries and remembers where the last one failed.</summary>
    private sealed class AttemptCounter(int next = 0)
    {
        private int _next = next;

        public int LastFailed { get; set; } = -1;

        public int Next() => _next++;
    }
}
