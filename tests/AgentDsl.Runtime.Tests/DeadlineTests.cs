using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>
/// A caller's budget is a deadline that holds: the request's token is cancelled then, and the request ends by the
/// deadline plus <see cref="AgentDslOptions.CancellationGrace"/> even when an operator ignores its token; retries fit
/// inside the deadline.
/// </summary>
public sealed class DeadlineTests
{
    // Bounds are generous (the CI box has two loaded cores); without the fix these requests never end at all.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ABudget_BoundsAnOperatorThatIgnoresItsToken_OnAGraphWithoutSla_AndNamesIt()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<IgnoringGraph>());
        var graph = host.Services.GetRequiredService<IgnoringGraph>();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        graph.Hold = hold;
        var runner = host.Runner<IgnoringGraph>();

        var budget = TimeSpan.FromMilliseconds(200);
        var started = Stopwatch.StartNew();
        var call = runner.RunUntypedAsync([1], new AgentRequestOptions { Budget = budget });
        var error = await Assert.ThrowsAsync<AgentNodeException>(() => call.WaitAsync(budget + AgentDslOptions.DefaultCancellationGrace + Slack));
        Assert.True(started.Elapsed >= budget, $"ended after {started.Elapsed.TotalMilliseconds} ms, before its deadline");
        Assert.Equal("Stall", error.Node.Name);
        var timeout = Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Contains("deadline", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("'Stall'", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("abandoned", timeout.Message, StringComparison.Ordinal);
        Assert.Equal((1L, 1L, 0L), (runner.Statistics.Submitted, runner.Statistics.Failed, runner.Statistics.InFlight));

        // The abandoned operator returns: the next node does not run, and nothing more is reported.
        hold.SetResult();
        await WaitUntil(() => host.Services.GetRequiredService<AgentDsl.Orchestration.AgentRuntime>().InFlight == 0);
        await Task.Delay(100);
        Assert.Equal(0, Volatile.Read(ref graph.ThenRan));
        Assert.Equal((1L, 1L, 0L, 0L), (runner.Statistics.Submitted, runner.Statistics.Failed, runner.Statistics.Completed, runner.Statistics.InFlight));
    }

    [Fact]
    public async Task ABudget_CancelsTheRequestsToken_AtTheDeadline()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<BlockingGraph>());
        var graph = host.Services.GetRequiredService<BlockingGraph>();
        var runner = host.Runner<BlockingGraph>();

        var call = runner.RunUntypedAsync(["x"], new AgentRequestOptions { Budget = TimeSpan.FromMilliseconds(150) });
        var error = await Assert.ThrowsAsync<AgentNodeException>(() => call.WaitAsync(Slack));
        Assert.True((await graph.SawCancellation.Task.WaitAsync(Slack)).IsCancellationRequested);
        Assert.Equal("Wait", error.Node.Name);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.DoesNotContain("abandoned", error.InnerException!.Message, StringComparison.Ordinal); // it observed its token
        Assert.Equal((1L, 1L, 0L), (runner.Statistics.Submitted, runner.Statistics.Failed, runner.Statistics.InFlight));
    }

    [Fact]
    public async Task ABudget_EndsTheRequest_WhileASynchronousOperatorStillHoldsItsThread()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<SyncBlockGraph>());
        var graph = host.Services.GetRequiredService<SyncBlockGraph>();
        var runner = host.Runner<SyncBlockGraph>();

        var call = Task.Run(() => runner.RunUntypedAsync(["x"], new AgentRequestOptions { Budget = TimeSpan.FromMilliseconds(100) }));
        await graph.Started.Task.WaitAsync(Slack);

        // The caller gets the failure at its deadline plus the grace, though the operator has not returned: it runs
        // in a compute slot, not on the caller's thread.
        var error = await Assert.ThrowsAsync<AgentNodeException>(() => call.WaitAsync(Slack));
        Assert.False(graph.Release.IsSet);
        Assert.Equal("Block", error.Node.Name);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal((1L, 1L, 0L), (runner.Statistics.Submitted, runner.Statistics.Failed, runner.Statistics.InFlight));

        // When it returns at last, its result is dropped and nothing more is counted.
        graph.Release.Set();
        await Task.Delay(200);
        Assert.Equal((1L, 1L, 0L), (runner.Statistics.Submitted, runner.Statistics.Failed, runner.Statistics.Completed));
    }

    [Fact]
    public async Task ACallersCancellation_EndsTheRequestWithinTheGrace_WhenTheOperatorIgnoresIt()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<IgnoringGraph>());
        var graph = host.Services.GetRequiredService<IgnoringGraph>();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        graph.Hold = hold;
        var runner = host.Runner<IgnoringGraph>();
        using var cts = new CancellationTokenSource();

        var call = runner.RunAsync(1, cts.Token);
        await graph.Started.Task.WaitAsync(Slack);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(AgentDslOptions.DefaultCancellationGrace + Slack));
        Assert.Equal((1L, 1L, 0L), (runner.Statistics.Submitted, runner.Statistics.Cancelled, runner.Statistics.InFlight));

        hold.SetResult();
        await WaitUntil(() => host.Services.GetRequiredService<AgentDsl.Orchestration.AgentRuntime>().InFlight == 0);
        Assert.Equal(0, Volatile.Read(ref graph.ThenRan));
    }

    [Fact]
    public async Task AHungRetryableOperator_IsNotRetriedPastTheDeadline()
    {
        // SLA 300 ms, five retries: the first attempt times out at the SLA, which is also the deadline; before the fix
        // each of the six attempts got the whole SLA again.
        var device = new SimDevice("acc", DeviceKinds.Accelerator, latencyMs: 0) { Mode = FaultMode.Hang };
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl(o =>
        {
            o.Operators["Accelerate"] = new OperatorResilienceOptions { MaxRetries = 5, CircuitBreaker = false };
            o.AdmissionControl = false;
        }).AddDevice(device).AddGraph<RetriedGraph>());
        var runner = host.Runner<RetriedGraph>();

        var error = await Assert.ThrowsAsync<AgentNodeException>(() => runner.RunUntypedAsync([1]).WaitAsync(Slack));
        Assert.Equal("Accelerate", error.Node.Name);
        Assert.Equal(1, device.Calls);
        Assert.Equal(0, runner.Statistics.Retries);
    }

    [Fact]
    public async Task AFailingRetryableOperator_RetriesOnlyWhileTimeIsLeft()
    {
        // Each attempt throws at once; a retry waits 200 ms; the SLA is 300 ms: at most one retry fits (six before the fix).
        var device = new SimDevice("acc", DeviceKinds.Accelerator, latencyMs: 0) { Mode = FaultMode.Throw };
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl(o =>
        {
            o.Operators["Accelerate"] = new OperatorResilienceOptions { MaxRetries = 5, RetryDelay = TimeSpan.FromMilliseconds(200), CircuitBreaker = false };
            o.AdmissionControl = false;
        }).AddDevice(device).AddGraph<RetriedGraph>());
        var runner = host.Runner<RetriedGraph>();

        var error = await Assert.ThrowsAsync<AgentNodeException>(() => runner.RunUntypedAsync([1]).WaitAsync(Slack));
        Assert.Contains("injected fault", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.InRange(device.Calls, 1, 2);
    }

    [Fact]
    public void CancellationGrace_IsValidated()
    {
        var validator = new AgentDslOptionsValidator();
        Assert.True(validator.Validate(null, new AgentDslOptions()).Succeeded);
        var result = validator.Validate(null, new AgentDslOptions { CancellationGrace = TimeSpan.FromMilliseconds(-1) });
        Assert.True(result.Failed);
        Assert.Contains(nameof(AgentDslOptions.CancellationGrace), result.FailureMessage, StringComparison.Ordinal);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "condition not reached in 10 s");
            await Task.Delay(10);
        }
    }
}
