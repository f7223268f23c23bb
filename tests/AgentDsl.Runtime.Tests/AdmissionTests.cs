using AgentDsl.Execution;
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
}
