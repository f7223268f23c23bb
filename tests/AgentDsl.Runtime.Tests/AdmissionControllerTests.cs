using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary><see cref="AdmissionController"/> on its own: the in-flight limit, the prediction against the budget, reservations, the observed headroom and the plan snapshot.</summary>
public sealed class AdmissionControllerTests
{
    private static long Ticks(double ms) => (long)(ms / 1000 * Stopwatch.Frequency);

    /// <summary>UnretriedGraph (Accelerate, then Finish; SLA 2 s at p99) on one accelerator "a" of capacity 4.</summary>
    private static RunnerParts Parts(Action<Hosting.AgentDslOptions>? configure = null, ScriptedPolicy? policy = null) =>
        new(UnretriedGraph.Definition, [new SimDevice("a", DeviceKinds.Accelerator, latencyMs: 0, concurrency: 4)], o =>
        {
            o.Replanning.MinInterval = TimeSpan.Zero;
            configure?.Invoke(o);
        }, policy);

    private static RunnerParts Measured(double accelerateMs = 20, double finishMs = 5)
    {
        var parts = Parts();
        parts.Measure("Accelerate", "a", accelerateMs);
        parts.Measure("Finish", "a", finishMs);
        return parts;
    }

    [Fact]
    public void AnAdmittedRequest_ReservesItsExpectedWork_UntilTheRunnerGivesItBack()
    {
        using var parts = Measured();
        var queue = parts.Runtime.Queues[parts.Device("a")];

        var rejected = parts.Admission.Admit(Stopwatch.GetTimestamp(), Ticks(1000), out var reservation, out double predictedMs);

        Assert.Null(rejected);
        Assert.NotNull(reservation);
        Assert.True(reservation.Measured);
        Assert.Equal(25, reservation.CriticalPathMs, precision: 6);
        Assert.InRange(predictedMs, 25, 1000);
        double reservedMs = reservation.Ticks.Sum() * 1000.0 / Stopwatch.Frequency;
        Assert.True(reservedMs > 0);
        Assert.Equal(reservedMs / queue.UtilizationCapacity, queue.BacklogMilliseconds, precision: 3);
        Assert.Equal(1, parts.Admission.InFlight);
        Assert.Equal(1, parts.Runtime.InFlight);

        parts.Admission.Leave();
        Assert.Equal(0, parts.Admission.InFlight);
        Assert.Equal(0, parts.Runtime.InFlight);
    }

    [Fact]
    public void ARequestThatCannotMeetItsBudget_IsRejected_WithThePrediction_AndReservesNothing()
    {
        using var parts = Measured(accelerateMs: 100);
        var queue = parts.Runtime.Queues[parts.Device("a")];

        var rejected = parts.Admission.Admit(Stopwatch.GetTimestamp(), Ticks(50), out var reservation, out _);

        Assert.NotNull(rejected);
        Assert.Null(reservation);
        Assert.Equal(RejectionReason.DeadlineUnreachable, rejected.Reason);
        Assert.Equal(50, rejected.BudgetMs, precision: 6);
        Assert.Equal(105, rejected.PredictedMs, precision: 6);
        Assert.Contains("predicted p99 latency 105 ms (critical path of measured node times 105 ms) exceeds the budget of 50 ms.", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(0, queue.BacklogMilliseconds);
        Assert.Equal(0, parts.Admission.InFlight);
        Assert.Equal(0, parts.Runtime.InFlight);
        Assert.Equal(1, parts.Statistics.RejectedFor(RejectionReason.DeadlineUnreachable));
        Assert.Single(parts.Logged(AgentDslEventIds.RequestRejected));
    }

    [Fact]
    public void WithoutABudget_NothingIsPredictedOrReserved()
    {
        using var parts = Measured(accelerateMs: 100);

        Assert.Null(parts.Admission.Admit(Stopwatch.GetTimestamp(), 0, out var reservation, out double predictedMs));

        Assert.Null(reservation);
        Assert.Equal(0, predictedMs);
    }

    [Fact]
    public void WhileANodeIsUnmeasured_TheRequestIsAdmitted_AndItsErrorNotJudged()
    {
        using var parts = Parts();
        parts.Measure("Accelerate", "a", 20);

        Assert.Null(parts.Admission.Admit(Stopwatch.GetTimestamp(), Ticks(1000), out var reservation, out double predictedMs));

        Assert.False(reservation!.Measured);
        Assert.True(double.IsNaN(predictedMs));
    }

    [Fact]
    public void AtTheInFlightLimit_RequestsAreRejected_UntilOneLeaves()
    {
        using var parts = Parts(o => o.MaxInFlightRequests = 1);

        Assert.Null(parts.Admission.Admit(Stopwatch.GetTimestamp(), 0, out _, out _));
        var full = parts.Admission.Admit(Stopwatch.GetTimestamp(), 0, out _, out _);
        Assert.Equal(RejectionReason.QueueFull, full!.Reason);
        Assert.Contains("1 requests are already in flight (AgentDsl:MaxInFlightRequests)", full.Message, StringComparison.Ordinal);
        Assert.Equal(1, parts.Admission.InFlight);

        parts.Admission.Leave();
        Assert.Null(parts.Admission.Admit(Stopwatch.GetTimestamp(), 0, out _, out _));
    }

    [Fact]
    public void WhileNoPlanCanBeMade_RequestsAreRejected_NamingWhy()
    {
        var policy = new ScriptedPolicy();
        using var parts = Parts(policy: policy);
        policy.Next = _ => throw new PlacementException("no device can run Accelerate");
        parts.Replanner.Request(ReplanReason.DeviceOut);

        var rejected = parts.Admission.Admit(Stopwatch.GetTimestamp(), 0, out _, out _); // re-plans first

        Assert.Equal(RejectionReason.NoDevice, rejected!.Reason);
        Assert.Contains("no device can run Accelerate", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(0, parts.Admission.InFlight);
    }

    [Fact]
    public void WithNothingQueued_ThePredictionIsTheMeanPath_WithoutMargin()
    {
        using var parts = Measured();

        var p = parts.Admission.Predict(parts.Admission.Snapshot(Stopwatch.GetTimestamp()), budgetMs: 1000);

        Assert.Equal(25, p.PathMs, precision: 6);
        Assert.Equal(0, p.BacklogMs);
        Assert.Null(p.Busiest);
        Assert.Equal(0, p.MarginMs);
        Assert.Equal(100, p.HeadroomMs, precision: 6); // the least: a tenth of the budget
        Assert.Equal(25, p.Total, precision: 6);
    }

    [Fact]
    public void WithWorkQueued_ThePredictionAddsIt_AndAMarginOfAtMostTwiceIt()
    {
        using var parts = Measured();
        var queue = parts.Runtime.Queues[parts.Device("a")];
        queue.Reserve(Ticks(8)); // 2 ms of backlog over a capacity of 4

        var p = parts.Admission.Predict(parts.Admission.Snapshot(Stopwatch.GetTimestamp()), budgetMs: 1000);

        Assert.Equal("a", p.Busiest);
        Assert.Equal(2, p.BacklogMs, precision: 3);
        Assert.Equal(AdmissionController.MaxMarginPerQueuedMs * p.BacklogMs, p.MarginMs, precision: 6); // spread + 100 ms headroom, capped
        Assert.Equal(p.PathMs + p.BacklogMs + p.MarginMs, p.Total, precision: 6);
        Assert.Equal(p.Total, parts.Admission.PredictedLatencyMs(Stopwatch.GetTimestamp(), 1000), precision: 3);
    }

    [Fact]
    public void TheObservedHeadroom_IsThePercentileOfRecentErrors_OnceThereAreEnough()
    {
        using var parts = Parts();
        Assert.Equal(0.99, parts.Admission.Percentile);

        for (int i = 1; i < AdmissionController.MinErrors; i++)
        {
            parts.Admission.RecordPredictionError(1000);
        }

        Assert.Equal(0, parts.Admission.ObservedHeadroom()); // too few

        for (int i = 1; i <= AdmissionController.ErrorWindow; i++)
        {
            parts.Admission.RecordPredictionError(i); // the window now holds 1..256 only
        }

        Assert.Equal(254, parts.Admission.ObservedHeadroom()); // the ceil(0.99 × 256) = 254th smallest

        for (int i = 0; i < AdmissionController.ErrorWindow; i++)
        {
            parts.Admission.RecordPredictionError(-5); // predictions too high: no headroom, not a negative one
        }

        Assert.Equal(0, parts.Admission.ObservedHeadroom());
    }

    [Fact]
    public void TheSnapshot_IsReusedFor50Ms_AndRemadeAfterANewPlanOrEstimate()
    {
        using var parts = Measured();
        long now = Stopwatch.GetTimestamp();
        var first = parts.Admission.Snapshot(now);

        Assert.Same(first, parts.Admission.Snapshot(now + 1));
        Assert.NotSame(first, parts.Admission.Snapshot(now + (Stopwatch.Frequency / 10)));

        var second = parts.Admission.Snapshot(Stopwatch.GetTimestamp());
        parts.Admission.Invalidate();
        var third = parts.Admission.Snapshot(Stopwatch.GetTimestamp());
        Assert.NotSame(second, third);

        parts.Replanner.TryReplan(Stopwatch.GetTimestamp(), ReplanReason.DeviceOut, force: true);
        Assert.NotSame(third, parts.Admission.Snapshot(Stopwatch.GetTimestamp()));
    }

    [Fact]
    public void TheSnapshot_KnowsThePathAfterEachNode()
    {
        using var parts = Measured(accelerateMs: 20, finishMs: 5);

        var snapshot = parts.Admission.Snapshot(Stopwatch.GetTimestamp());

        Assert.Equal(5, snapshot.After[parts.Node("Accelerate")], precision: 6);
        Assert.Equal(0, snapshot.After[parts.Node("Finish")]);
        Assert.Equal([parts.Device("a"), parts.Device("a")], snapshot.Queue);
    }
}
