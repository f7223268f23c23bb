using System.Diagnostics;
using AgentDsl.Batching;
using AgentDsl.Devices;
using AgentDsl.Diagnostics;
using AgentDsl.Ir;
using AgentDsl.Orchestration;

namespace AgentDsl.Execution;

public sealed partial class AgentRunner<TGraph>
{
    private NodeBatcher?[] _batchers = [];

    /// <summary>Ids of the nodes that are batched (empty for most graphs).</summary>
    private int[] _batchedNodes = [];

    /// <summary>Per batched node: requests in flight that have not reached it yet (who could still join its batch).</summary>
    private int[] _upcoming = [];

    private void BuildBatchers(IEnumerable<OperatorBatch> batches)
    {
        _batchers = new NodeBatcher?[_definition.Nodes.Length];
        var registered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var batch in batches.Where(b => b.Graph == typeof(TGraph)))
        {
            registered.Add(batch.Operator);
            var nodes = _definition.Nodes.Where(n => n.Operator == batch.Operator && !n.Merge).ToList();
            if (nodes.Count == 0)
            {
                throw new InvalidOperationException($"Graph '{_definition.Name}': a batch form is registered for operator '{batch.Operator}', which no node of the graph calls.");
            }

            foreach (var node in nodes)
            {
                if (OperatorBatch.Check(node) is { } problem)
                {
                    throw new InvalidOperationException($"Graph '{_definition.Name}': {problem}");
                }

                _batchers[node.Id] = new NodeBatcher(this, node, batch);
            }
        }

        // Batch forms the generator found (an overload of the operator taking a list); one registered with AddBatch wins.
        foreach (var form in TGraph.BatchForms)
        {
            var options = _options.Batching.GetValueOrDefault($"{_definition.Name}.{form.Operator}")
                ?? _options.Batching.GetValueOrDefault(form.Operator)
                ?? new BatchOptions();
            if (registered.Contains(form.Operator) || options.MaxBatchSize <= 1)
            {
                continue; // replaced, or batching turned off (MaxBatchSize 1)
            }

            var batch = new OperatorBatch<TGraph>(form, options);
            foreach (var node in _definition.Nodes.Where(n => n.Operator == form.Operator && !n.Merge && OperatorBatch.Check(n) is null))
            {
                _batchers[node.Id] = new NodeBatcher(this, node, batch);
            }
        }

        _batchedNodes = [.. Enumerable.Range(0, _batchers.Length).Where(i => _batchers[i] is not null)];
        _upcoming = new int[_batchers.Length];
    }

    /// <summary>A request was admitted: it may reach each batched node.</summary>
    private void ExpectAtBatchedNodes()
    {
        foreach (int id in _batchedNodes)
        {
            Interlocked.Increment(ref _upcoming[id]);
        }
    }

    /// <summary>Runs a batch of one node for several requests as one piece of device work.</summary>
    private sealed class BatchWork(string graph, NodeDefinition node, NodeValues first, TGraph instance, OperatorBatch batch, IReadOnlyList<NodeValues> all)
        : NodeWork(graph, node, first)
    {
        public override ValueTask InvokeManagedAsync(CancellationToken cancellationToken) =>
            batch.InvokeAsync(instance, Node, all, cancellationToken);
    }

    /// <summary>What a batched invocation reports back to its request.</summary>
    private readonly record struct BatchOutcome(int Device, long Started, long Ended, int Size);

    /// <summary>
    /// Collects one node's invocations from concurrent requests and runs them together on the node's device: when the
    /// batch is full, or when the earliest wait bound of its members runs out.
    /// </summary>
    private sealed class NodeBatcher
    {
        private readonly AgentRunner<TGraph> _runner;
        private readonly NodeDefinition _node;
        private readonly OperatorBatch _batch;
        private readonly long _maxWaitTicks;
        private readonly Timer _timer;
        private readonly object _gate = new();
        private List<Entry> _pending = [];
        private long _flushAt = long.MaxValue;

        public NodeBatcher(AgentRunner<TGraph> runner, NodeDefinition node, OperatorBatch batch)
        {
            _runner = runner;
            _node = node;
            _batch = batch;
            var sla = runner._definition.Sla;
            var wait = batch.Options.MaxWait
                ?? (sla.HasLatencyBound ? TimeSpan.FromMilliseconds(Math.Min(20, sla.LatencyMs / 10)) : TimeSpan.FromMilliseconds(2));
            _maxWaitTicks = (long)(wait.TotalSeconds * Stopwatch.Frequency);
            _timer = new Timer(static s => ((NodeBatcher)s!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
        }

        /// <summary>Joins the current batch; completes when the batch has run.</summary>
        public Task<BatchOutcome> SubmitAsync(Run run, long now, CancellationToken cancellationToken)
        {
            // The wait bound: the configured (or SLA-derived) maximum, cut to this request's slack.
            long wait = _maxWaitTicks;
            if (run.DeadlineTicks != long.MaxValue)
            {
                var snapshot = _runner.Snapshot(now);
                double nodeMs = snapshot.Ticks.Length > _node.Id ? snapshot.Ticks[_node.Id] * 1000.0 / Stopwatch.Frequency : 0;
                double afterMs = snapshot.After.Length > _node.Id ? snapshot.After[_node.Id] : 0;
                long slack = run.DeadlineTicks - now - (long)((nodeMs + afterMs) / 1000.0 * Stopwatch.Frequency);
                wait = Math.Clamp(slack, 0, wait);
            }

            var entry = new Entry(run.Values, run.DeadlineTicks);
            List<Entry>? full = null;
            lock (_gate)
            {
                _pending.Add(entry);

                // Run at once when full, when this request has no time to wait, or when no request in flight is still on its
                // way to this node (at low load, or once the others are past it: no waiting for company that is not coming).
                if (_pending.Count >= _batch.Options.MaxBatchSize || wait == 0 || Volatile.Read(ref _runner._upcoming[_node.Id]) <= 0)
                {
                    full = TakeLocked();
                }
                else if (now + wait < _flushAt)
                {
                    _flushAt = now + wait;
                    _timer.Change(Math.Max(1, (int)Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency)), Timeout.Infinite);
                }
            }

            if (full is not null)
            {
                _ = RunAsync(full);
            }

            return cancellationToken.CanBeCanceled ? entry.Completion.Task.WaitAsync(cancellationToken) : entry.Completion.Task;
        }

        private List<Entry> TakeLocked()
        {
            var taken = _pending;
            _pending = [];
            _flushAt = long.MaxValue;
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            return taken;
        }

        private void OnTimer()
        {
            List<Entry>? due = null;
            lock (_gate)
            {
                if (_pending.Count > 0)
                {
                    due = TakeLocked();
                }
            }

            if (due is not null)
            {
                _ = RunAsync(due);
            }
        }

        private async Task RunAsync(List<Entry> entries)
        {
            int d = Volatile.Read(ref _runner._placement)[_node.Id];
            var queue = _runner._queues[d];
            long estimate = _runner.EstimateTicks(_node.Id, d, Stopwatch.GetTimestamp());
            long deadline = entries.Min(e => e.Deadline);
            long started = 0;
            try
            {
                await queue.EnterAsync(deadline, estimate, CancellationToken.None).ConfigureAwait(false);
                started = Stopwatch.GetTimestamp();
                var values = entries.ConvertAll(e => e.Values);
                var work = new BatchWork(_runner._definition.Name, _node, values[0], _runner._graph, _batch, values) { Deadline = DateTimeOffset.MaxValue };
                try
                {
                    await queue.Device.RunAsync(work, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    queue.Exit(Stopwatch.GetTimestamp() - started, estimate);
                }
            }
            catch (Exception ex)
            {
                foreach (var e in entries)
                {
                    e.Completion.TrySetException(ex);
                }

                return;
            }

            long ended = Stopwatch.GetTimestamp();
            // Recorded, but not judged for a slow-down: a batch's time grows with its size, not with the device's health.
            double ms = (ended - started) * 1000.0 / Stopwatch.Frequency;
            _runner._estimates.Record(_node.Id, d, ms, ms, _runner._options.Replanning.SlowdownFactor, ended);
            AgentDslTelemetry.BatchSize.Record(entries.Count, _runner._graphTag, new("agentdsl.node", _node.Name));
            var outcome = new BatchOutcome(d, started, ended, entries.Count);
            foreach (var e in entries)
            {
                e.Completion.TrySetResult(outcome);
            }
        }

        private sealed class Entry(NodeValues values, long deadline)
        {
            public NodeValues Values { get; } = values;

            public long Deadline { get; } = deadline;

            public TaskCompletionSource<BatchOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
