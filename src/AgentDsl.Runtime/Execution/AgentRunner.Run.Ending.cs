using System.Diagnostics;
using System.Globalization;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Ir;

namespace AgentDsl.Execution;

public sealed partial class AgentRunner<TGraph>
{
    /// <summary>How a request ends: failure, cancellation at its deadline or by the caller or host, abandoning operators after the grace, and the final accounting.</summary>
    private sealed partial class Run
    {
        private void Fail(int nodeId, Exception exception)
        {
            if (Interlocked.CompareExchange(ref _failure, exception, null) is null)
            {
                _failedNode = nodeId;
                CancelAndArmGrace();
            }
        }

        private static void TryCancel(CancellationTokenSource source)
        {
            try
            {
                source.Cancel();
            }
            catch (AggregateException)
            {
                // A callback registered by an operator threw; the request fails with its first error anyway.
            }
        }

        /// <summary>
        /// Cancels the request's token once (its running operators are asked to stop) and arms the grace: the request
        /// ends within it even if an operator ignores the token. Every way a request is cancelled comes through here: a
        /// failed node, its deadline, the caller's token, the host's shutdown.
        /// </summary>
        private void CancelAndArmGrace()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) != 0)
            {
                return;
            }

            if (Volatile.Read(ref _cts) is { } source)
            {
                TryCancel(source); // else the source, made later, is made cancelled
            }

            if (Volatile.Read(ref _ended) != 0)
            {
                return;
            }

            // The request may end (and dispose what it sees in the field) at any moment: Finish reads the field after.
            Volatile.Write(ref _graceTimer, new Timer(static s => ((Run)s!).Abandon(), this, _runner._cancellationGrace, Timeout.InfiniteTimeSpan));
        }

        /// <summary>Called when a node stops (or the start-up slot is released); completes the request when nothing is in flight.</summary>
        private void Finish()
        {
            if (Interlocked.Decrement(ref _inFlight) != 0)
            {
                return;
            }

            End();
            _deadlineTimer?.Dispose();
            Volatile.Read(ref _graceTimer)?.Dispose();
            _onCallerCancelled.Unregister(); // does not wait for a callback running on another thread (it finds the request ended)
            _onShutdown.Unregister();
        }

        /// <summary>
        /// Watches the request: at a caller's deadline its token is cancelled; once the token is cancelled (deadline, the
        /// caller, shutdown, a failed node) the request ends within the grace even if an operator ignores the token.
        /// </summary>
        private void Watch()
        {
            if (_hardDeadline)
            {
                long left = DeadlineTicks - Stopwatch.GetTimestamp();
                var due = TimeSpan.FromSeconds(Math.Max(0, left) / (double)Stopwatch.Frequency);
                _deadlineTimer = new Timer(static s => ((Run)s!).OnDeadline(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _deadlineTimer.Change(due, Timeout.InfiniteTimeSpan); // after the field is set: the callback may run at once
            }

            if (_requestToken.CanBeCanceled)
            {
                _onCallerCancelled = _requestToken.UnsafeRegister(static s => ((Run)s!).OnCancelled(), this);
            }

            _onShutdown = _runner._runtime.ShutdownToken.UnsafeRegister(static s => ((Run)s!).OnCancelled(), this);
        }

        private void OnDeadline()
        {
            if (Volatile.Read(ref _ended) != 0)
            {
                return;
            }

            _deadlinePassed = true;
            OnCancelled();
        }

        /// <summary>The request's token was cancelled: the request fails (naming the node running now) and ends within the grace.</summary>
        private void OnCancelled()
        {
            if (Volatile.Read(ref _ended) != 0)
            {
                return;
            }

            if (Volatile.Read(ref _failure) is null)
            {
                Fail(Blame(), new OperationCanceledException(Token));
            }

            CancelAndArmGrace(); // (done already when this call failed the request)
        }

        /// <summary>The grace after cancellation ran out with nodes still running: the request ends without them (they are observed when they return).</summary>
        private void Abandon()
        {
            if (Volatile.Read(ref _ended) != 0)
            {
                return;
            }

            for (int n = 0; n < _nodes.Length; n++)
            {
                if (Volatile.Read(ref _nodes[n].Phase) == Running)
                {
                    var queue = _runner._queues[_nodes[n].Device];
                    AgentDslTelemetry.Abandoned.Add(1, _runner._graphTag, queue.Tag);
                }
            }

            End();
        }

        private const int Running = 1;
        private const int Done = 2;

        /// <summary>A node stopped (completed or failed).</summary>
        private void NodeEnded(int nodeId)
        {
            Volatile.Write(ref _nodes[nodeId].Phase, Done);
            Volatile.Write(ref _lastEnded, nodeId);
        }

        /// <summary>The node a cancellation is charged to: the first still running, else the one that ended last, else the first root.</summary>
        private int Blame()
        {
            for (int n = 0; n < _nodes.Length; n++)
            {
                if (Volatile.Read(ref _nodes[n].Phase) == Running)
                {
                    return n;
                }
            }

            int last = Volatile.Read(ref _lastEnded);
            return last >= 0 ? last : _runner._definition.Roots[0];
        }

        /// <summary>Completes the request once: when nothing is in flight, or (<see cref="Abandon"/>) when the grace after its cancellation ran out.</summary>
        private void End()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return; // ended already (abandoned nodes returning late find it so)
            }

            var elapsed = Stopwatch.GetElapsedTime(_start);
            var def = _runner._definition;
            var failure = Volatile.Read(ref _failure);
            bool shutDown = _runner._runtime.ShutdownToken.IsCancellationRequested;
            bool abandoned = Volatile.Read(ref _inFlight) > 0;
            for (int n = 0; _reservation is not null && n < _nodes.Length; n++)
            {
                Unreserve(n); // nodes that never started (the request failed first)
            }

            foreach (int id in _runner._batching.BatchedNodes)
            {
                Arrive(id); // batched nodes it never reached: it is no longer on its way there
            }

            double cost = Volatile.Read(ref _cost);
            // Without a failure every node ran or was skipped: each started node releases its dependents or fails the
            // request, and a node starts once all it depends on were released.
            if (failure is null)
            {
                object? output;
                try
                {
                    output = SelectOutput();
                }
                catch (InvalidOperationException ex)
                {
                    Ended("failed", metSla: false, cost);
                    _runner._statistics.OnFailed(cost);
                    _activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                    _activity?.Dispose();
                    _runner._admission.Leave(); // after the statistics: a drained host has counted every request
                    _completion.TrySetException(new InvalidOperationException($"Graph '{def.Name}': {ex.Message}", ex));
                    return;
                }

                var nodes = new NodeRunList(_runner, _timings, _start);

                var budget = _budgetTicks > 0 ? TimeSpan.FromSeconds(_budgetTicks / (double)Stopwatch.Frequency) : (TimeSpan?)null;
                var result = new AgentRunResult(def, output, elapsed, nodes)
                {
                    SkippedNodes = def.HasBranches ? [.. Enumerable.Range(0, _nodes.Length).Where(i => _nodes[i].Skipped)] : [],
                    Budget = budget,
                    CostUsd = cost,
                    RequestId = RequestId,
                };
                bool met = result.MetSla;
                if (_reservation is not null && !double.IsNaN(_predictedMs))
                {
                    _runner._admission.RecordPredictionError(elapsed.TotalMilliseconds - _predictedMs);
                }

                AgentDslTelemetry.RequestDuration.Record(elapsed.TotalMilliseconds, _runner._graphTag);
                Ended("completed", met, cost);
                _runner._statistics.OnCompleted(met, cost);
                _activity?.SetTag("agentdsl.met_sla", met);
                _activity?.Dispose();
                RunnerLog.DebugRunCompleted(_runner._logger, def.Name, elapsed.TotalMilliseconds);
                if (!met)
                {
                    RunnerLog.SlaMissed(_runner._logger, def.Name, elapsed.TotalMilliseconds, budget?.TotalMilliseconds ?? 0);
                }

                _runner._admission.Leave(); // after the statistics: a drained host has counted every request
                _completion.TrySetResult(result);
                return;
            }

            if (failure is OperationCanceledException && _requestToken.IsCancellationRequested)
            {
                Ended("cancelled", metSla: false, cost);
                _runner._statistics.OnCancelled();
                _activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
                _activity?.Dispose();
                RunnerLog.RunCancelled(_runner._logger, def.Name);
                _runner._admission.Leave(); // after the statistics: a drained host has counted every request
                _completion.TrySetCanceled(_requestToken);
                return;
            }

            var node = def.Nodes[_failedNode];
            string device = _runner._queues[_nodes[_failedNode].Device].Name;
            string grace = abandoned
                ? string.Create(CultureInfo.InvariantCulture, $"; it did not return within the {_runner._cancellationGrace.TotalMilliseconds:0.##} ms grace (AgentDsl:CancellationGrace) and was abandoned")
                : string.Empty;
            Exception reason = failure is OperationCanceledException && shutDown
                ? new OperationCanceledException($"The host shut down (its shutdown timeout ran out) before the request finished, while {node.Describe()} was running{grace}.", failure)
                : failure is OperationCanceledException && _deadlinePassed
                ? new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"The request's deadline (its budget of {_budgetTicks * 1000.0 / Stopwatch.Frequency:0.##} ms) passed while {node.Describe()} was running{grace}."), failure)
                : failure ?? new InvalidOperationException("The request ended with nodes that never ran.");
            var error = new AgentNodeException(def.Name, node, device, reason);
            Ended("failed", metSla: false, cost);
            _runner._statistics.OnFailed(cost);
            _activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            _activity?.Dispose();
            RunnerLog.RunFailed(_runner._logger, error.InnerException!, def.Name, node.Name, node.Source?.ToString() ?? "unknown", device);
            _runner._admission.Leave(); // after the statistics: a drained host has counted every request
            _completion.TrySetException(error);
        }

        private void Ended(string outcome, bool metSla, double cost)
        {
            AgentDslTelemetry.Requests.Add(1, _runner._graphTag, new("agentdsl.outcome", outcome));
            AgentDslTelemetry.SlaOutcomes.Add(1, _runner._graphTag, metSla ? AgentDslTelemetry.SlaMetTag : AgentDslTelemetry.SlaMissedTag);
            if (outcome != "cancelled")
            {
                AgentDslTelemetry.RequestCost.Record(cost, _runner._graphTag);
            }
        }
    }

    /// <summary>How a node ran, kept as a value until someone reads <see cref="AgentRunResult.Nodes"/>.</summary>
    private readonly record struct Timing(bool Ran, int Device, long Started, long Ended, int Attempt, int BatchSize, IReadOnlyList<PhaseRun>? Phases);

    /// <summary>The nodes that ran, in id order; the <see cref="NodeRun"/> objects are made on first read (most callers never look).</summary>
    private sealed class NodeRunList(AgentRunner<TGraph> runner, Timing[] timings, long start) : IReadOnlyList<NodeRun>
    {
        private NodeRun[]? _runs;

        public int Count => Runs.Length;

        public NodeRun this[int index] => Runs[index];

        private NodeRun[] Runs => _runs ??= Build();

        public IEnumerator<NodeRun> GetEnumerator() => ((IEnumerable<NodeRun>)Runs).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private NodeRun[] Build()
        {
            var runs = new List<NodeRun>(timings.Length);
            for (int id = 0; id < timings.Length; id++)
            {
                var t = timings[id];
                if (t.Ran)
                {
                    runs.Add(new NodeRun(id, runner._definition.Nodes[id].Name, runner._queues[t.Device].Name, Stopwatch.GetElapsedTime(start, t.Started), Stopwatch.GetElapsedTime(t.Started, t.Ended))
                    {
                        Attempt = t.Attempt,
                        BatchSize = t.BatchSize,
                        Phases = t.Phases ?? [],
                    });
                }
            }

            return [.. runs];
        }
    }
}
