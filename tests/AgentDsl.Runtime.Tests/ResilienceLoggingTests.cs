using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>Polly's telemetry: no log entry per execution or attempt of a retryable operator; retries are logged once, by the runtime.</summary>
public sealed class ResilienceLoggingTests
{
    [Fact]
    public async Task AHealthyRetryableOperator_LogsNothingPerRequest()
    {
        var logs = new CapturingLoggerProvider();
        var accel = new SimDevice("accel", DeviceKinds.Gpu, latencyMs: 0);
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl(o => o.Replanning.ExploreEvery = 0).AddDevice(accel).AddGraph<AcceleratedGraph>(), logs);
        var runner = host.Runner<AcceleratedGraph>();
        await runner.RunAsync(0);
        int before = logs.Entries.Count;

        for (int i = 0; i < 100; i++)
        {
            await runner.RunAsync(i);
        }

        // Before: every attempt logged "Execution attempt" at Information, and each execution two Debug entries.
        Assert.DoesNotContain(logs.Entries, e => e.Category.StartsWith("Polly", StringComparison.Ordinal));
        var perRequest = logs.Entries.Skip(before).Where(e => e.Id.Id != AgentDslEventIds.RunCompleted).ToList(); // 1002: Debug, one per request, documented
        Assert.True(perRequest.Count == 0, string.Join(Environment.NewLine, perRequest.Take(5).Select(e => $"{e.Level} {e.Category}: {e.Message}")));
    }

    [Fact]
    public async Task FailedAttempts_AreLoggedOncePerRetry_ByTheRuntime_NotPerAttemptAtInformationByPolly()
    {
        var logs = new CapturingLoggerProvider();
        var accel = new SimDevice("accel", DeviceKinds.Gpu, latencyMs: 0) { Mode = FaultMode.Throw };
        var backup = new SimDevice("backup", DeviceKinds.Accelerator, latencyMs: 0);
        using var host = await TestHost.StartAsync(
            s => s.AddAgentDsl(o => o.Replanning.ExploreEvery = 0).AddDevice(accel).AddDevice(backup).AddGraph<AcceleratedGraph>(), logs);
        var runner = host.Runner<AcceleratedGraph>();
        for (int i = 0; i < 20; i++)
        {
            await runner.RunAsync(i); // the first attempt fails on accel, the retry runs on backup
        }

        Assert.True(runner.Statistics.Retries > 0);
        Assert.Equal(runner.Statistics.Retries, logs.Entries.Count(e => e.Id.Id == AgentDslEventIds.NodeRetried));
        Assert.DoesNotContain(logs.Entries, e => e.Category.StartsWith("Polly", StringComparison.Ordinal) && e.Level <= LogLevel.Information);
    }
}
