using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>
/// The issue's fault tests: a device that throws, hangs, slows tenfold or disappears mid-run. In each, every request
/// ends completed, failed with a reason, or rejected with a reason; the counts add up exactly (against the driver and
/// the runner's own statistics); and the runtime moves the work to the healthy device.
/// </summary>
/// <remarks>They run alone: which device the router picks depends on measured times, which other tests' load on a
/// two-core machine would distort.</remarks>
[Collection(nameof(FaultTests))]
public sealed class FaultTests
{
    private static async Task<(IHost Host, SimDevice Accel, SimDevice Backup)> StartAsync<TGraph>(Action<AgentDslOptions>? configure = null, CapturingLoggerProvider? logs = null)
        where TGraph : class, IAgentGraph<TGraph>
    {
        var accel = new SimDevice("accel", DeviceKinds.Gpu, latencyMs: 10);
        var backup = new SimDevice("backup", DeviceKinds.Accelerator, latencyMs: 30);
        var host = await TestHost.StartAsync(s => s.AddAgentDsl(o =>
        {
            o.Operators["Accelerate"] = new OperatorResilienceOptions
            {
                Timeout = TimeSpan.FromMilliseconds(300),
                MinimumThroughput = 4,
                FailureRatio = 0.5,
                BreakDuration = TimeSpan.FromSeconds(1),
            };
            o.Replanning.MinInterval = TimeSpan.FromMilliseconds(20);
            o.Replanning.ExploreEvery = 0; // calibration runs are tested on their own; here every placement is the plan's
            configure?.Invoke(o);
        }).AddDevice(accel).AddDevice(backup).AddGraph<TGraph>(), logs);
        return (host, accel, backup);
    }

    private static Task<Outcomes> Drive<TGraph>(IHost host, int count, int offset = 0)
        where TGraph : class, IAgentGraph<TGraph> =>
        Outcomes.DriveAsync(count, concurrency: 4, async i =>
        {
            int x = offset + i;
            var result = await host.Runner<TGraph>().RunUntypedAsync([x]);
            Assert.Equal((2 * x) + 1, result.OutputValue); // a wrong result would land in Outcomes.Other
            return result;
        });

    private static string AccelerateDevice(AgentRunResult r) => r.Nodes.Single(n => n.Name == "Accelerate").Device;

    [Fact]
    public async Task HealthyRun_PlacesTheModelOnThePreferredGpu()
    {
        var (host, accel, _) = await StartAsync<AcceleratedGraph>();
        using var _h = host;
        var outcomes = await Drive<AcceleratedGraph>(host, 20);
        Assert.Equal(20, outcomes.Completed.Count);
        Assert.All(outcomes.Completed, r => Assert.Equal("accel", AccelerateDevice(r)));
        Assert.Empty(outcomes.Other);
        Assert.Equal(20, accel.Calls);
    }

    [Fact]
    public async Task DeviceThatThrows_IsTakenOut_WorkMovesToBackup_AndEveryRequestIsAccountedFor()
    {
        var (host, accel, backup) = await StartAsync<AcceleratedGraph>();
        using var _h = host;
        var runner = (AgentRunner<AcceleratedGraph>)host.Runner<AcceleratedGraph>();
        var before = Counts.Of(runner.Statistics);
        var warm = await Drive<AcceleratedGraph>(host, 20);

        accel.Mode = FaultMode.Throw;
        var faulty = await Drive<AcceleratedGraph>(host, 100, offset: 20);

        var all = new Outcomes();
        all.Completed.AddRange(warm.Completed.Concat(faulty.Completed));
        all.Failed.AddRange(warm.Failed.Concat(faulty.Failed));
        all.Rejected.AddRange(warm.Rejected.Concat(faulty.Rejected));
        all.AssertAccountedFor(120, before, Counts.Of(runner.Statistics));

        // Safe to retry: the breaker opened on accel, the graph was re-planned, retries and later requests ran on backup.
        Assert.Equal("backup", runner.Placement[AcceleratedGraph.Definition.GetNode("Accelerate").Id].Descriptor.Name);
        Assert.All(faulty.Completed.OrderBy(r => r.RequestId).TakeLast(50), r => Assert.Equal("backup", AccelerateDevice(r)));
        Assert.True(faulty.Completed.Count >= 95, $"completed {faulty.Completed.Count} of 100");
        Assert.All(faulty.Failed, f => Assert.Contains("'Accelerate'", f.Message, StringComparison.Ordinal));
        Assert.True(runner.Statistics.Retries > 0);
        Assert.True(backup.Calls >= faulty.Completed.Count);
    }

    [Fact]
    public async Task DeviceThatThrows_WithoutRetry_FailsRequestsWithTheReason_UntilTheBreakerMovesTheWork()
    {
        var (host, accel, _) = await StartAsync<UnretriedGraph>();
        using var _h = host;
        var runner = (AgentRunner<UnretriedGraph>)host.Runner<UnretriedGraph>();
        await Drive<UnretriedGraph>(host, 10);
        var before = Counts.Of(runner.Statistics);

        accel.Mode = FaultMode.Throw;
        var outcomes = await Drive<UnretriedGraph>(host, 100);
        outcomes.AssertAccountedFor(100, before, Counts.Of(runner.Statistics));

        Assert.NotEmpty(outcomes.Failed);
        Assert.All(outcomes.Failed, f =>
        {
            Assert.Equal("accel", f.Device);
            Assert.Equal("Accelerate", f.Node.Name);
            Assert.Contains("injected fault", f.InnerException!.Message, StringComparison.Ordinal);
        });

        // Failures stop once the breaker has opened: the last requests all completed on backup.
        Assert.True(outcomes.Failed.Count <= 12, $"{outcomes.Failed.Count} failures");
        Assert.All(outcomes.Completed.OrderBy(r => r.RequestId).TakeLast(50), r => Assert.Equal("backup", AccelerateDevice(r)));
    }

    [Fact]
    public async Task DeviceThatHangs_IsAbandonedAfterTheTimeout_AndNoRequestIsLost()
    {
        var (host, accel, _) = await StartAsync<AcceleratedGraph>();
        using var _h = host;
        var runner = (AgentRunner<AcceleratedGraph>)host.Runner<AcceleratedGraph>();
        await Drive<AcceleratedGraph>(host, 10);
        var before = Counts.Of(runner.Statistics);

        accel.Mode = FaultMode.Hang;
        var outcomes = await Drive<AcceleratedGraph>(host, 60);
        outcomes.AssertAccountedFor(60, before, Counts.Of(runner.Statistics));

        Assert.All(outcomes.Failed, f => Assert.Contains("Timeout", f.InnerException!.GetType().Name + f.InnerException.Message, StringComparison.OrdinalIgnoreCase));
        Assert.True(outcomes.Completed.Count >= 55, $"completed {outcomes.Completed.Count} of 60");
        Assert.All(outcomes.Completed.OrderBy(r => r.RequestId).TakeLast(30), r => Assert.Equal("backup", AccelerateDevice(r)));
    }

    [Fact]
    public async Task DeviceThatSlowsTenfold_IsReplannedAway_AndProbedBackWhenItRecovers()
    {
        var logs = new CapturingLoggerProvider();
        var (host, accel, _) = await StartAsync<AcceleratedGraph>(o => o.Replanning.EstimateLifetime = TimeSpan.FromSeconds(2), logs);
        using var _h = host;
        var runner = (AgentRunner<AcceleratedGraph>)host.Runner<AcceleratedGraph>();
        await Drive<AcceleratedGraph>(host, 20);
        var before = Counts.Of(runner.Statistics);

        accel.Mode = FaultMode.Slow; // 100 ms instead of 10 ms; backup takes 30 ms
        var slow = await Drive<AcceleratedGraph>(host, 80);
        slow.AssertAccountedFor(80, before, Counts.Of(runner.Statistics));
        Assert.Equal(80, slow.Completed.Count);
        Assert.All(slow.Completed.OrderBy(r => r.RequestId).TakeLast(40), r => Assert.Equal("backup", AccelerateDevice(r)));

        // Recovered: once accel's slow measurement is older than the estimate lifetime it is tried again, and stays.
        accel.Mode = FaultMode.None;
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var healed = await Drive<AcceleratedGraph>(host, 60);
        Assert.Equal(60, healed.Completed.Count);
        Assert.Contains(logs.Entries, e => e.Id.Id == AgentDslEventIds.GraphReplanned && e.Message.Contains("(slowdown): Accelerate accel→backup", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Id.Id == AgentDslEventIds.GraphReplanned && e.Message.Contains("(probe): Accelerate backup→accel", StringComparison.Ordinal));
        AssertPlannedBackOnAccel(runner, healed);
    }

    [Fact]
    public async Task DeviceThatDisappears_RetriesElsewhere_EvenForOperatorsNotSafeToRetry()
    {
        var (host, accel, _) = await StartAsync<UnretriedGraph>();
        using var _h = host;
        var runner = (AgentRunner<UnretriedGraph>)host.Runner<UnretriedGraph>();
        await Drive<UnretriedGraph>(host, 10);
        var before = Counts.Of(runner.Statistics);

        accel.Mode = FaultMode.Unavailable;
        var outcomes = await Drive<UnretriedGraph>(host, 50);
        outcomes.AssertAccountedFor(50, before, Counts.Of(runner.Statistics));
        Assert.Equal(50, outcomes.Completed.Count);
        Assert.All(outcomes.Completed, r => Assert.Equal("backup", AccelerateDevice(r)));
        Assert.True(accel.Calls - 10 <= 4, $"accel was called {accel.Calls - 10} times after it went away");
    }

    [Fact]
    public async Task Calibration_MeasuresTheOtherDevice_AndMovesTheNodeWhenItIsFaster()
    {
        // The model prefers the GPU, but the GPU here is slower than the accelerator: only measuring shows it.
        var gpu = new SimDevice("slow-gpu", DeviceKinds.Gpu, latencyMs: 30);
        var fast = new SimDevice("fast-acc", DeviceKinds.Accelerator, latencyMs: 5);
        var logs = new CapturingLoggerProvider();
        using var host = await TestHost.StartAsync(
            s => s.AddAgentDsl(o => o.Replanning.ExploreEvery = 4).AddDevice(gpu).AddDevice(fast).AddGraph<AcceleratedGraph>(), logs);
        var runner = (AgentRunner<AcceleratedGraph>)host.Runner<AcceleratedGraph>();
        int accelerate = AcceleratedGraph.Definition.GetNode("Accelerate").Id;
        Assert.Equal("slow-gpu", runner.Placement[accelerate].Descriptor.Name);

        var outcomes = await Drive<AcceleratedGraph>(host, 60);
        Assert.Equal(60, outcomes.Completed.Count);
        Assert.Equal("fast-acc", runner.Placement[accelerate].Descriptor.Name);
        Assert.Contains(logs.Entries, e => e.Id.Id == AgentDslEventIds.GraphReplanned && e.Message.Contains("(calibrated): Accelerate slow-gpu→fast-acc", StringComparison.Ordinal));
        Assert.All(outcomes.Completed.OrderBy(r => r.RequestId).TakeLast(10), r => Assert.Equal("fast-acc", AccelerateDevice(r)));
    }

    [Fact]
    public async Task DeviceThatThrows_IsProbedBackInAfterTheBreakDuration()
    {
        var logs = new CapturingLoggerProvider();
        var (host, accel, _) = await StartAsync<AcceleratedGraph>(logs: logs);
        using var _h = host;
        var runner = (AgentRunner<AcceleratedGraph>)host.Runner<AcceleratedGraph>();
        await Drive<AcceleratedGraph>(host, 20);
        accel.Mode = FaultMode.Throw;
        await Drive<AcceleratedGraph>(host, 40);
        Assert.Equal("backup", runner.Placement[AcceleratedGraph.Definition.GetNode("Accelerate").Id].Descriptor.Name);

        accel.Mode = FaultMode.None;
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the break duration
        var healed = await Drive<AcceleratedGraph>(host, 40);
        Assert.Equal(40, healed.Completed.Count);
        Assert.Contains(logs.Entries, e => e.Id.Id == AgentDslEventIds.DeviceTakenOut && e.Message.Contains("circuit breaker", StringComparison.Ordinal));
        Assert.True(
            logs.Entries.Any(e => e.Id.Id == AgentDslEventIds.GraphReplanned && e.Message.Contains("(device-back): Accelerate backup→accel", StringComparison.Ordinal)),
            "re-plans: " + string.Join(" | ", logs.Entries.Where(e => e.Id.Id == AgentDslEventIds.GraphReplanned).Select(e => e.Message)));
        AssertPlannedBackOnAccel(runner, healed);
    }

    /// <summary>
    /// The plan points at accel again and most of the last requests ran there. Not all: with four requests in flight
    /// routing may legitimately send one whose predicted time on accel exceeds backup's there (more often on a loaded
    /// machine, where thread-pool delays lengthen accel's measured times).
    /// </summary>
    private static void AssertPlannedBackOnAccel(AgentRunner<AcceleratedGraph> runner, Outcomes healed)
    {
        Assert.Equal("accel", runner.Placement[AcceleratedGraph.Definition.GetNode("Accelerate").Id].Descriptor.Name);
        var last = healed.Completed.OrderBy(r => r.RequestId).TakeLast(20).Select(AccelerateDevice).ToList();
        Assert.True(last.Count(d => d == "accel") >= 14, $"the last 20 ran on: {string.Join(", ", last)}");
    }
}

/// <summary>Fault tests run alone (see <see cref="FaultTests"/>).</summary>
[CollectionDefinition(nameof(FaultTests), DisableParallelization = true)]
public sealed class FaultTestsCollection;
