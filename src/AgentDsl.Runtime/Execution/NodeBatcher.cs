using AgentDsl.Generated;
using System.Diagnostics;
using AgentDsl.Batching;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Ir;

namespace AgentDsl.Execution;

/// <summary>
/// Collects one node's invocations from concurrent requests and runs them together on the node's device: when the
/// batch is full, or when the earliest wait bound of its members runs out.
/// </summary>
internal sealed class NodeBatcher
{
    private readonly BatchCoordinator _owner;
    private readonly NodeDefinition _node;
    private readonly OperatorBatch _batch;
    private readonly long _maxWaitTicks;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private List<Entry> _pending = [];
    private long _flushAt = long.MaxValue;

    public NodeBatcher(BatchCoordinator owner, NodeDefinition node, OperatorBatch batch)
    {
        _owner = owner;
        _node = node;
        _batch = batch;
        var sla = owner.Definition.Sla;
        var wait = batch.Options.MaxWait
            ?? (sla.HasLatencyBound ? TimeSpan.FromMilliseconds(Math.Min(20, sla.LatencyMs / 10)) : TimeSpan.FromMilliseconds(2));
        _maxWaitTicks = (long)(wait.TotalSeconds * Stopwatch.Frequency);
        _timer = new Timer(static s => ((NodeBatcher)s!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Invocations waiting for the batch to run.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Joins the current batch; completes when the batch has run.</summary>
    /// <param name="values">The request's values (the node's input is read from them, its result stored in them).</param>
    /// <param name="deadlineTicks">The request's deadline (Stopwatch ticks; <see cref="long.MaxValue"/>: none).</param>
    /// <param name="now">Now (Stopwatch ticks).</param>
    /// <param name="cancellationToken">The request's token (the wait is cancelled, not the batch).</param>
    public Task<BatchOutcome> SubmitAsync(NodeValues values, long deadlineTicks, long now, CancellationToken cancellationToken)
    {
        // The wait bound: the configured (or SLA-derived) maximum, cut to this request's slack.
        long wait = _maxWaitTicks;
        if (deadlineTicks != long.MaxValue)
        {
            var snapshot = _owner.Admission.Snapshot(now);
            double nodeMs = snapshot.Ticks.Length > _node.Id ? snapshot.Ticks[_node.Id] * 1000.0 / Stopwatch.Frequency : 0;
            double afterMs = snapshot.After.Length > _node.Id ? snapshot.After[_node.Id] : 0;
            long slack = deadlineTicks - now - (long)((nodeMs + afterMs) / 1000.0 * Stopwatch.Frequency);
            wait = Math.Clamp(slack, 0, wait);
        }

        var entry = new Entry(values, deadlineTicks);
        List<Entry>? full = null;
        lock (_gate)
        {
            _pending.Add(entry);

            // Run at once when full, when this request has no time to wait, or when no request in flight is still on its
            // way to this node (at low load, or once the others are past it: no waiting for company that is not coming).
            if (_pending.Count >= _batch.Options.MaxBatchSize || wait == 0 || _owner.Upcoming(_node.Id) <= 0)
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
        var replanner = _owner.Replanner;
        int d = replanner.Placement[_node.Id];
        var queue = replanner.Queues[d];
        long estimate = replanner.EstimateTicks(_node.Id, d, Stopwatch.GetTimestamp());
        long deadline = entries.Min(e => e.Deadline);
        long started = 0;
        try
        {
            await queue.EnterAsync(deadline, estimate, CancellationToken.None).ConfigureAwait(false);
            started = Stopwatch.GetTimestamp();
            var values = entries.ConvertAll(e => e.Values);
            var work = new BatchWork(_owner.Definition.Name, _node, values[0], _owner.Graph, _batch, values) { Deadline = DateTimeOffset.MaxValue };
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
        _owner.Estimates.Record(_node.Id, d, ms, ms, _owner.SlowdownFactor, ended);
        AgentDslTelemetry.BatchSize.Record(entries.Count, _owner.GraphTag, new("agentdsl.node", _node.Name));
        var outcome = new BatchOutcome(d, started, ended, entries.Count);
        foreach (var e in entries)
        {
            e.Completion.TrySetResult(outcome);
        }
    }

    /// <summary>Runs a batch of one node for several requests as one piece of device work.</summary>
    private sealed class BatchWork(string graph, NodeDefinition node, NodeValues first, object instance, OperatorBatch batch, IReadOnlyList<NodeValues> all)
        : NodeWork(graph, node, first)
    {
        public override ValueTask InvokeManagedAsync(CancellationToken cancellationToken) =>
            batch.InvokeAsync(instance, Node, all, cancellationToken);
    }

    private sealed class Entry(NodeValues values, long deadline)
    {
        public NodeValues Values { get; } = values;

        public long Deadline { get; } = deadline;

        public TaskCompletionSource<BatchOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
