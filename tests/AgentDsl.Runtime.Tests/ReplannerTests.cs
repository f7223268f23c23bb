using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary><see cref="Replanner"/> on its own: when it asks the policy for a plan and why, devices taken out and back, probes, and where an attempt runs.</summary>
public sealed class ReplannerTests
{
    private static SimDevice Accel(string name) => new(name, DeviceKinds.Accelerator, latencyMs: 0);

    private static RunnerParts Parts(Action<Hosting.AgentDslOptions>? configure = null, ScriptedPolicy? policy = null, bool start = true) =>
        new(UnretriedGraph.Definition, [Accel("a"), Accel("b")], o =>
        {
            o.Replanning.MinInterval = TimeSpan.Zero;
            configure?.Invoke(o);
        }, policy, start);

    private static IReadOnlyList<IAgentDevice> All(PlacementRequest request, string device) =>
        [.. request.Graph.Nodes.Select(_ => request.Devices.Single(d => d.Descriptor.Name == device))];

    [Fact]
    public void ReplanReasons_KeepTheTextOfMetricsLogsAndPolicies()
    {
        Assert.Equal(
            ["start", "slowdown", "calibrated", "device-out", "device-back", "probe"],
            Enum.GetValues<ReplanReason>().Select(r => r.Text()));
        Assert.Same(ReplanReason.Probe.Text(), ReplanReason.Probe.Text()); // a literal, not made per call
    }

    [Fact]
    public void Start_AsksThePolicyForAStartPlan_AndLogsThePlacement()
    {
        using var parts = Parts();

        Assert.Equal(["start"], parts.Policy.Reasons);
        Assert.Equal([parts.Device("a"), parts.Device("a")], parts.Replanner.Placement);
        Assert.Equal([parts.Device("a")], parts.Replanner.UsedQueues);
        Assert.Null(parts.Replanner.Unplaceable);
        Assert.Equal(["Graph UnretriedGraph: 2 nodes placed: Accelerate→a, Finish→a"], parts.Logged(AgentDslEventIds.GraphPlaced));
    }

    [Fact]
    public void Start_Throws_WhenThePolicyFindsNoPlacement()
    {
        using var parts = Parts(policy: new ScriptedPolicy { Next = _ => throw new PlacementException("nothing fits Accelerate") }, start: false);

        var error = Assert.Throws<PlacementException>(parts.Replanner.Start);

        Assert.Equal("nothing fits Accelerate", error.Message);
        Assert.Equal(["Graph UnretriedGraph: re-planning (start) failed: nothing fits Accelerate"], parts.Logged(AgentDslEventIds.ReplanFailed));
    }

    [Fact]
    public void ARequestedReplan_IsMadeOnce_AtTheNextCheck_WithItsReason()
    {
        using var parts = Parts();
        int replanned = 0;
        parts.Replanner.Replanned = () => replanned++;
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());
        Assert.Equal(["start"], parts.Policy.Reasons); // nothing asked for

        parts.Replanner.Request(ReplanReason.Slowdown);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());

        Assert.Equal(["start", "slowdown"], parts.Policy.Reasons);
        Assert.Equal(1, replanned);
        Assert.Equal(["Graph UnretriedGraph re-planned (slowdown): no node moved"], parts.Logged(AgentDslEventIds.GraphReplanned));
    }

    [Fact]
    public void RequestUnlessDue_KeepsTheReasonAlreadyAskedFor_RequestReplacesIt()
    {
        using var parts = Parts();

        parts.Replanner.Request(ReplanReason.Slowdown);
        parts.Replanner.RequestUnlessDue(ReplanReason.Calibrated);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());

        parts.Replanner.RequestUnlessDue(ReplanReason.Calibrated);
        parts.Replanner.Request(ReplanReason.DeviceOut);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());

        parts.Replanner.RequestUnlessDue(ReplanReason.Calibrated);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());

        Assert.Equal(["start", "slowdown", "device-out", "calibrated"], parts.Policy.Reasons);
    }

    [Fact]
    public void ARequestedReplan_WaitsForTheLeastInterval_AForcedOneDoesNot()
    {
        using var parts = Parts(o => o.Replanning.MinInterval = TimeSpan.FromHours(1));

        parts.Replanner.Request(ReplanReason.Slowdown);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());
        Assert.Equal(["start"], parts.Policy.Reasons);

        parts.Replanner.TryReplan(Stopwatch.GetTimestamp(), ReplanReason.DeviceOut, force: true);
        Assert.Equal(["start", "device-out"], parts.Policy.Reasons);
    }

    [Fact]
    public void APlanOnADeviceNotInService_IsRefused_AndThePreviousPlanKept()
    {
        var ghost = Accel("ghost");
        var policy = new ScriptedPolicy();
        using var parts = Parts(policy: policy);
        var before = parts.Replanner.Placement;

        policy.Next = r => [.. r.Graph.Nodes.Select(_ => ghost)];
        parts.Replanner.TryReplan(Stopwatch.GetTimestamp(), ReplanReason.DeviceOut, force: true);

        Assert.Same(before, parts.Replanner.Placement);
        Assert.Contains("put node 'Accelerate'", parts.Replanner.Unplaceable, StringComparison.Ordinal);
        Assert.Contains("on 'ghost', which is not a device in service", parts.Replanner.Unplaceable, StringComparison.Ordinal);
        Assert.Contains(parts.Logged(AgentDslEventIds.ReplanFailed), m => m.StartsWith("Graph UnretriedGraph: re-planning (device-out) failed:", StringComparison.Ordinal));

        policy.Next = null;
        parts.Replanner.TryReplan(Stopwatch.GetTimestamp(), ReplanReason.DeviceOut, force: true);
        Assert.Null(parts.Replanner.Unplaceable);
    }

    [Fact]
    public async Task ADeviceTakenOutForTheGraph_LeavesThePlan_AndComesBackAsDeviceBack()
    {
        using var parts = Parts();
        int a = parts.Device("a"), b = parts.Device("b");

        parts.Replanner.TakeOut(a, TimeSpan.FromMilliseconds(100), "its breaker opened");

        var outRequest = parts.Policy.Requests[^1];
        Assert.Equal("device-out", outRequest.Reason);
        Assert.Equal(["b"], outRequest.Devices.Select(d => d.Descriptor.Name));
        Assert.Equal([b, b], parts.Replanner.Placement);
        Assert.False(parts.Replanner.InService(a, Stopwatch.GetTimestamp()));
        Assert.Contains(parts.Logged(AgentDslEventIds.GraphReplanned), m => m.Contains("Accelerate a→b", StringComparison.Ordinal));

        await Task.Delay(150);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());

        Assert.Equal("device-back", parts.Policy.Requests[^1].Reason);
        Assert.Equal(2, parts.Policy.Requests[^1].Devices.Count);
        Assert.Equal([a, a], parts.Replanner.Placement);
        Assert.True(parts.Replanner.InService(a, Stopwatch.GetTimestamp()));
    }

    [Fact]
    public void ADeviceOutForEveryGraph_ReplansAtOnce_ItsReturnAtTheNextCheck()
    {
        using var parts = Parts();
        parts.Runtime.DeviceStateChanged += parts.Replanner.OnDeviceStateChanged;
        int a = parts.Device("a");

        parts.Runtime.TakeOut(a, Stopwatch.GetTimestamp() + Stopwatch.Frequency, "unplugged");
        Assert.Equal(["start", "device-out"], parts.Policy.Reasons);
        Assert.DoesNotContain(parts.Policy.Requests[^1].Devices, d => d.Descriptor.Name == "a");

        parts.Replanner.OnDeviceStateChanged(a, inService: true);
        Assert.Equal(2, parts.Policy.Requests.Count); // not at once
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());
        Assert.Equal(3, parts.Policy.Requests.Count);
        Assert.Equal("device-back", parts.Policy.Reasons[^1]); // not reported as another device going out
    }

    [Fact]
    public async Task AfterASlowdownMovedWork_AProbeLooksAgain_OnceTheEstimatesHaveGoneStale()
    {
        var policy = new ScriptedPolicy { Next = r => All(r, r.Reason == "start" ? "a" : "b") };
        using var parts = Parts(o => o.Replanning.EstimateLifetime = TimeSpan.FromMilliseconds(50), policy);

        parts.Replanner.Request(ReplanReason.Slowdown);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp()); // a → b: look again later
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());
        Assert.Equal(["start", "slowdown"], parts.Policy.Reasons);

        await Task.Delay(100);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp()); // b → b: the probe moved nothing, no further probe
        await Task.Delay(100);
        parts.Replanner.MaybeReplan(Stopwatch.GetTimestamp());

        Assert.Equal(["start", "slowdown", "probe"], parts.Policy.Reasons);
    }

    [Fact]
    public void ARetry_GoesToAnotherDevice_WhenThePlanStillPointsAtTheOneThatFailed()
    {
        using var parts = Parts();
        var node = UnretriedGraph.Definition.GetNode("Accelerate");
        int a = parts.Device("a"), b = parts.Device("b");
        long now = Stopwatch.GetTimestamp();

        Assert.Equal(a, parts.Replanner.ChooseDevice(node, attempt: 0, lastFailed: -1, requestId: 1, now));
        Assert.Equal(b, parts.Replanner.ChooseDevice(node, attempt: 1, lastFailed: a, requestId: 1, now));
        Assert.Equal(a, parts.Replanner.ChooseDevice(node, attempt: 1, lastFailed: b, requestId: 1, now));
    }

    [Fact]
    public void AFirstAttempt_IsRoutedWhereTheNodeShouldFinishFirst_CountingTheQueuedWork()
    {
        using var parts = Parts();
        var node = UnretriedGraph.Definition.GetNode("Accelerate");
        int a = parts.Device("a"), b = parts.Device("b");
        parts.Measure("Accelerate", "a", 10);
        parts.Measure("Accelerate", "b", 10);
        parts.Replanner.TryReplan(Stopwatch.GetTimestamp(), ReplanReason.Calibrated, force: true); // routes from the measurements

        Assert.Equal(a, parts.Replanner.ChooseDevice(node, 0, -1, 1, Stopwatch.GetTimestamp())); // a tie: the plan's device

        parts.Runtime.Queues[a].Reserve(Stopwatch.Frequency); // 1 s of work queued on a
        Assert.Equal(b, parts.Replanner.ChooseDevice(node, 0, -1, 1, Stopwatch.GetTimestamp()));
        Assert.Equal(a, parts.Replanner.ChooseDevice(node, 1, -1, 1, Stopwatch.GetTimestamp())); // a retry is not routed
    }
}
