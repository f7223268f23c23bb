using System.Diagnostics;
using System.Globalization;
using AgentDsl.Telemetry;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Execution;

/// <summary>
/// Admission control of one graph: the in-flight limit, and the predicted latency of a request at the graph's SLA
/// percentile (critical path, queued work, spread, headroom from recent prediction errors) against its budget, over a
/// snapshot of the plan it reads; an admitted request reserves its expected work on the devices it will use.
/// </summary>
internal sealed class AdmissionController
{
    /// <summary>Completed requests whose prediction error sets the observed headroom (<see cref="PlanSnapshot.HeadroomMs"/>).</summary>
    internal const int ErrorWindow = 256;

    /// <summary>
    /// The least headroom, as a share of the budget: for delays no measurement predicts and that hit every queued
    /// request at once (a GC pause, a loaded machine) until the prediction errors show them.
    /// </summary>
    internal const double MinHeadroom = 0.1;

    /// <summary>The margin for the percentile is at most this many times the queued work ahead of a request.</summary>
    internal const double MaxMarginPerQueuedMs = 2;

    /// <summary>Errors needed before the observed headroom counts.</summary>
    internal const int MinErrors = 20;

    private readonly GraphDefinition _definition;
    private readonly AgentRuntime _runtime;
    private readonly DeviceQueue[] _queues;
    private readonly Replanner _replanner;
    private readonly NodeEstimates _estimates;
    private readonly AgentDslOptions _options;
    private readonly AgentGraphStatistics _statistics;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _graphTag;
    private readonly long _estimateLifetimeTicks;
    private readonly double _z;
    private readonly double[] _errors = new double[ErrorWindow];
    private long _errorCount;
    private PlanSnapshot _snapshot = new(0, [], [], 0);
    private long _lastAdmitted;
    private int _inFlight;

    public AdmissionController(
        GraphDefinition definition,
        AgentRuntime runtime,
        Replanner replanner,
        NodeEstimates estimates,
        AgentDslOptions options,
        AgentGraphStatistics statistics,
        ILogger logger,
        KeyValuePair<string, object?> graphTag)
    {
        _definition = definition;
        _runtime = runtime;
        _queues = runtime.Queues;
        _replanner = replanner;
        _estimates = estimates;
        _options = options;
        _statistics = statistics;
        _logger = logger;
        _graphTag = graphTag;
        _estimateLifetimeTicks = (long)(options.Replanning.EstimateLifetime.TotalSeconds * Stopwatch.Frequency);
        _lastAdmitted = Stopwatch.GetTimestamp();
        Percentile = Math.Clamp(definition.Sla.Percentile is > 0 and <= 1 and var p ? p : AgentGraphAttribute.DefaultPercentile, 0.5, 0.999);
        _z = NodeEstimates.NormalQuantile(Percentile);
    }

    /// <summary>The SLA percentile admission predicts at (0.5 to 0.999).</summary>
    public double Percentile { get; }

    /// <summary>Requests admitted and not yet left (<see cref="Leave"/>).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Admission control: null to admit (and count the request in, reserving its expected work on the devices it will
    /// use, so a burst of arrivals sees each other), or the rejection.
    /// </summary>
    /// <param name="now">The request's arrival (Stopwatch ticks).</param>
    /// <param name="budgetTicks">Its budget (0: none).</param>
    /// <param name="reservation">The snapshot whose work was reserved (null when none was).</param>
    /// <param name="predictedMs">The latency predicted by the model alone (what the request's error is measured against; NaN while a node is unmeasured).</param>
    public AgentRequestRejectedException? Admit(long now, long budgetTicks, out PlanSnapshot? reservation, out double predictedMs)
    {
        reservation = null;
        predictedMs = 0;
        if (!_runtime.TryEnter())
        {
            return Reject(RejectionReason.ShuttingDown, "the host is shutting down and admits no new requests.");
        }

        if (Interlocked.Increment(ref _inFlight) > _options.MaxInFlightRequests)
        {
            Leave();
            return Reject(RejectionReason.QueueFull, string.Create(CultureInfo.InvariantCulture, $"{_options.MaxInFlightRequests} requests are already in flight (AgentDsl:MaxInFlightRequests)."));
        }

        _replanner.MaybeReplan(now);
        if (_replanner.Unplaceable is { } unplaceable)
        {
            Leave();
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
                Leave();
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

    /// <summary>An admitted request ended (or was rejected after it was counted in).</summary>
    public void Leave()
    {
        Interlocked.Decrement(ref _inFlight);
        _runtime.Exit();
    }

    /// <summary>The predicted latency at the SLA percentile of a request admitted at <paramref name="now"/>, in milliseconds.</summary>
    public double PredictedLatencyMs(long now, double budgetMs) => Predict(Snapshot(now), budgetMs).Total;

    /// <summary>
    /// The latency of a request admitted now, at the graph's SLA percentile: the critical path (means) plus, on the
    /// device the plan uses whose backlog makes it latest, that backlog; plus a margin: z × the standard deviation of
    /// their sum (z the normal quantile of the percentile: the path's node variances, and the queued work's, taken as
    /// independent runs) and a headroom (what recent prediction errors call for, at least <see cref="MinHeadroom"/>
    /// of the budget); but at most <see cref="MaxMarginPerQueuedMs"/> × the queued work, so a request with nothing
    /// queued ahead is admitted whenever its mean fits (it starts at once: rejecting it would not help it or anyone
    /// else meet the SLA), and the margin grows as a queue builds.
    /// </summary>
    public Prediction Predict(PlanSnapshot snapshot, double budgetMs)
    {
        double path = snapshot.CriticalPathMs;
        double headroom = Math.Max(snapshot.HeadroomMs, MinHeadroom * budgetMs);
        var best = new Prediction(path, 0, null, _z * Math.Sqrt(snapshot.PathVariance), headroom, 0);
        foreach (int q in _replanner.UsedQueues)
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

    /// <summary>Records how far a completed request's latency was above (or below) its prediction at admission, without the headroom.</summary>
    public void RecordPredictionError(double errorMs)
    {
        long i = Interlocked.Increment(ref _errorCount) - 1;
        Volatile.Write(ref _errors[i & (ErrorWindow - 1)], errorMs);
    }

    /// <summary>The headroom the recent prediction errors call for: their value at the SLA percentile (0 when they are under it, or too few).</summary>
    public double ObservedHeadroom()
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
        return Math.Max(0, errors[Math.Min(n - 1, (int)Math.Ceiling(Percentile * n) - 1)]);
    }

    /// <summary>Makes the next <see cref="Snapshot"/> read the plan and estimates afresh (a new plan, a first estimate).</summary>
    public void Invalidate() => Volatile.Write(ref _snapshot, Volatile.Read(ref _snapshot) with { At = 0 });

    /// <summary>The critical path and per-node expected times under the current plan, refreshed at most every 50 ms.</summary>
    public PlanSnapshot Snapshot(long now)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (now - snapshot.At < Stopwatch.Frequency / 20)
        {
            return snapshot;
        }

        var placement = _replanner.Placement;
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

    /// <summary>The text of a rejection for an unreachable deadline: the prediction and its parts against the budget.</summary>
    internal string DescribeRejection(in Prediction p, double budgetMs)
    {
        string at = string.Create(CultureInfo.InvariantCulture, $"p{Percentile * 100:0.#}");
        string margin = p.MarginMs <= 0.005 ? ""
            : p.MarginMs < p.SpreadMs + p.HeadroomMs ? string.Create(CultureInfo.InvariantCulture, $" + {p.MarginMs:0.##} ms margin for {at}, at most {MaxMarginPerQueuedMs:0.#}× the queued work")
            : string.Create(CultureInfo.InvariantCulture, $" + {p.SpreadMs:0.##} ms spread at {at} + {p.HeadroomMs:0.##} ms headroom");
        return p.Busiest is null
            ? string.Create(CultureInfo.InvariantCulture, $"predicted {at} latency {p.Total:0.##} ms (critical path of measured node times {p.PathMs:0.##} ms{margin}) exceeds the budget of {budgetMs:0.##} ms.")
            : string.Create(CultureInfo.InvariantCulture, $"predicted {at} latency {p.Total:0.##} ms (critical path {p.PathMs:0.##} ms + {p.BacklogMs:0.##} ms queued on {p.Busiest}{margin}) exceeds the budget of {budgetMs:0.##} ms.");
    }

    private AgentRequestRejectedException Reject(RejectionReason reason, string message, double predictedMs = 0, double budgetMs = 0)
    {
        _statistics.OnRejected(reason);
        var tag = new KeyValuePair<string, object?>("agentdsl.reason", reason.ToString());
        AgentDslTelemetry.Rejections.Add(1, _graphTag, tag);
        AgentDslTelemetry.Requests.Add(1, _graphTag, new("agentdsl.outcome", "rejected"));
        AgentDslTelemetry.SlaOutcomes.Add(1, _graphTag, AgentDslTelemetry.SlaMissedTag);
        RunnerLog.Rejected(_logger, _definition.Name, reason.ToString(), message);
        return new AgentRequestRejectedException(_definition.Name, reason, message) { PredictedMs = predictedMs, BudgetMs = budgetMs };
    }
}

/// <summary>The plan as admission sees it: the critical path (wall time), and each node's device and expected occupancy of it (what a request reserves).</summary>
internal sealed record PlanSnapshot(double CriticalPathMs, int[] Queue, long[] Ticks, long At)
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
internal readonly record struct Prediction(double PathMs, double BacklogMs, string? Busiest, double SpreadMs, double HeadroomMs, double MarginMs)
{
    public double Total => PathMs + BacklogMs + MarginMs;

    /// <summary>The prediction at the percentile from the model alone (what prediction errors are measured against).</summary>
    public double ModelMs => PathMs + BacklogMs + SpreadMs;
}
