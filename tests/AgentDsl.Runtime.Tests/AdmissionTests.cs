using AgentDsl.Execution;
using AgentDsl.Ir;
using Microsoft.Extensions.DependencyInjection;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>What admission control charges, and to which resource: CPU time against the cores, awaited time to latency only.</summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task AwaitedTime_IsNotCountedAsCpuWork_SoAnIoBoundGraphFarAboveCoresOverLatencyIsAdmitted()
    {
        // 50 requests per core at once, each awaiting 200 ms: as CPU work that is 10 s of backlog on a 1 s SLA; as what
        // it is (an await), every request fits.
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<RemoteCallGraph>());
        var runner = host.Runner<RemoteCallGraph>();
        for (int i = 0; i < 3; i++)
        {
            await runner.RunUntypedAsync([i]); // measurements first
        }

        int count = 50 * Environment.ProcessorCount;
        var before = Counts.Of(runner.Statistics);
        var outcomes = await Outcomes.DriveAsync(count, concurrency: count, i => runner.RunUntypedAsync([i]));

        outcomes.AssertAccountedFor(count, before, Counts.Of(runner.Statistics));
        Assert.True(outcomes.Rejected.Count == 0, $"{outcomes.Rejected.Count} of {count} rejected, e.g. {outcomes.Rejected.FirstOrDefault()?.Message}");
        Assert.Equal(count, outcomes.Completed.Count);
        Assert.All(outcomes.Completed, r => Assert.True(r.MetSla, $"took {r.Elapsed.TotalMilliseconds:0} ms"));
    }

    [Fact]
    public async Task CpuWork_AtOverload_IsStillRejectedWithReasons()
    {
        // 20 ms of a core per request, 100 ms SLA, 20 requests per core at once: at most ~5 per core can make it.
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<SpinGraph>());
        var runner = host.Runner<SpinGraph>();
        for (int i = 0; i < 3; i++)
        {
            await runner.RunUntypedAsync([i]);
        }

        int count = 20 * Environment.ProcessorCount;
        var before = Counts.Of(runner.Statistics);
        var outcomes = await Outcomes.DriveAsync(count, concurrency: count, i => Task.Run(() => runner.RunUntypedAsync([i])));

        outcomes.AssertAccountedFor(count, before, Counts.Of(runner.Statistics));
        Assert.NotEmpty(outcomes.Rejected);
        Assert.All(outcomes.Rejected, r =>
        {
            Assert.Equal(RejectionReason.DeadlineUnreachable, r.Reason);
            Assert.Contains("queued on cpu", r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AtTenTimesCapacity_TheAdmittedMeetTheSlaAtTheGraphsPercentile()
    {
        // Two slots; a run takes 8 ms, one in five 40 ms (mean 14.4 ms, so ~140 requests/s fit). 1,400/s are offered for
        // 2 s. Admission aimed at the mean admits up to the budget and about as many admitted miss as make it at the
        // margin; aimed at p99 (the spread of the queued work, plus headroom), 99% of the admitted meet the 150 ms SLA.
        var random = new Random(12);
        var device = new SimDevice("jitter", DeviceKinds.Accelerator, latencyMs: 0, concurrency: 2)
        {
            DrawLatencyMs = () => random.NextDouble() < 0.2 ? 40 : 8,
        };
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl(o => o.Operators["Step"] = new Hosting.OperatorResilienceOptions { Timeout = TimeSpan.FromSeconds(10) })
            .AddDevice(device).AddGraph<TightGraph>());
        var runner = host.Runner<TightGraph>();
        for (int i = 0; i < 30; i++)
        {
            await runner.RunUntypedAsync([i]); // the mean and the spread are measured first
        }

        var before = Counts.Of(runner.Statistics);
        var outcomes = await Outcomes.DrivePacedAsync(TimeSpan.FromSeconds(2), perTick: 14, TimeSpan.FromMilliseconds(10), i => runner.RunUntypedAsync([i]));

        outcomes.AssertAccountedFor(outcomes.Total, before, Counts.Of(runner.Statistics));
        Assert.Empty(outcomes.Failed);
        Assert.True(outcomes.Rejected.Count > outcomes.Total / 2, $"{outcomes.Rejected.Count} of {outcomes.Total} rejected: not overloaded");
        Assert.All(outcomes.Rejected, r => Assert.Equal(RejectionReason.DeadlineUnreachable, r.Reason));
        double met = outcomes.Completed.Count(r => r.MetSla) / (double)outcomes.Completed.Count;
        var latencies = outcomes.Completed.Select(r => r.Elapsed.TotalMilliseconds).Order().ToList();
        Assert.True(
            met >= TightGraph.Definition.Sla.Percentile,
            $"missed {string.Join(",", outcomes.Completed.Where(r => !r.MetSla).Select(r => $"#{r.RequestId}:{r.Elapsed.TotalMilliseconds:0}"))} of ids {outcomes.Completed.Min(r => r.RequestId)}..{outcomes.Completed.Max(r => r.RequestId)}; {met:P1} of {outcomes.Completed.Count} admitted met the SLA (p50 {latencies[latencies.Count / 2]:0} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:0} ms, max {latencies[^1]:0} ms); {outcomes.Rejected.Count} rejected, e.g. {outcomes.Rejected[0].Message}");
    }
}
