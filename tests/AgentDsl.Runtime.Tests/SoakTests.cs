using System.Globalization;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Orchestration;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>
/// Fault injection and soak: requests with a budget through <see cref="SoakGraph"/>, whose model step throws, hangs
/// ignoring its token (and returns late), hangs observing it, blocks its thread, runs ten times slower, or is
/// cancelled by its caller, by request. Every request ends exactly once (against the runner's statistics), by its
/// deadline plus the grace, and every failure names the node. Short in CI; <c>AGENTDSL_SOAK_REQUESTS=20000</c> runs it
/// long (docs/development.md).
/// </summary>
public sealed class SoakTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    // Scheduling slack on a loaded two-core box: the bound asserted is deadline + grace + this. Without the deadline
    // fixes the hung requests never end at all (the driver's limit fails the test).
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private static int Requests(int shortForm) =>
        int.TryParse(Environment.GetEnvironmentVariable("AGENTDSL_SOAK_REQUESTS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : shortForm;

    /// <summary>The fault of request <paramref name="x"/>: one in ten of each, the rest healthy.</summary>
    private static FaultMode FaultOf(int x) => (x % 10) switch
    {
        0 => FaultMode.Throw,
        1 => FaultMode.Hang,
        2 => FaultMode.HangObserving,
        3 => FaultMode.BlockSync,
        4 => FaultMode.Slow,
        5 => FaultMode.Hang, // and the caller cancels
        _ => FaultMode.None,
    };

    private static async Task<(IHost Host, SimDevice Device)> StartAsync(TimeSpan? shutdownTimeout = null)
    {
        var device = new SimDevice("sim", DeviceKinds.Accelerator, latencyMs: 5, concurrency: 64)
        {
            HangFor = Budget * 2, // the operators that ignore their token return long after their request ended
        };
        device.Faults = work => FaultOf(work.Values.Input<int>(0));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(30));
        builder.Services.AddAgentDsl(o =>
        {
            o.Operators["Accelerate"] = new OperatorResilienceOptions { CircuitBreaker = false }; // the faults are per request, not the device's
            o.Replanning.ExploreEvery = 0;
        }).AddDevice(device).AddGraph<SoakGraph>();
        var host = builder.Build();
        await host.StartAsync();
        return (host, device);
    }

    /// <summary>Submits request <paramref name="x"/> (the one in ten whose caller cancels after 50 ms with its token); a wrong result lands in <paramref name="wrong"/>.</summary>
    private static Task<AgentRunResult> Submit(IAgentRunner<SoakGraph> runner, int x, System.Collections.Concurrent.ConcurrentBag<int> wrong)
    {
        var cts = x % 10 == 5 ? new CancellationTokenSource(TimeSpan.FromMilliseconds(50)) : null;
        var call = runner.RunUntypedAsync([x], new AgentRequestOptions { Budget = Budget }, cts?.Token ?? default);
        _ = call.ContinueWith(
            t =>
            {
                cts?.Dispose();
                if (t.IsCompletedSuccessfully && !Equals(t.Result.OutputValue, (2 * x) + 1))
                {
                    wrong.Add(x);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return call;
    }

    [Fact]
    public async Task EveryRequestEndsOnce_ByItsDeadlinePlusTheGrace_AndFailuresNameTheNode()
    {
        int count = Requests(300);
        var (host, _) = await StartAsync();
        using var _h = host;
        var runner = host.Runner<SoakGraph>();
        var before = Counts.Of(runner.Statistics);
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        var wrong = new System.Collections.Concurrent.ConcurrentBag<int>();
        var outcomes = await Outcomes.DriveAsync(count, concurrency: 16, i => Submit(runner, i, wrong), limit: TimeSpan.FromSeconds(60 + (count / 50)));
        Assert.Empty(wrong);

        outcomes.AssertAccountedFor(count, before, Counts.Of(runner.Statistics));
        var bound = Budget + AgentDslOptions.DefaultCancellationGrace + Slack;
        var late = Enumerable.Range(0, count).Where(i => outcomes.Durations[i] > bound).ToList();
        Assert.True(late.Count == 0, $"{late.Count} requests ended after their deadline + grace, e.g. #{late.FirstOrDefault()} ({FaultOf(late.FirstOrDefault())}) after {outcomes.Durations[late.FirstOrDefault()].TotalMilliseconds:0} ms");

        // Failures name the node and why; the cancelled are the callers' cancellations.
        Assert.All(outcomes.Failed, f =>
        {
            Assert.Contains(f.Node.Name, new[] { "Prepare", "Accelerate", "Finish" });
            Assert.True(f.InnerException is TimeoutException || f.InnerException!.Message.Contains("injected fault", StringComparison.Ordinal), f.Message);
        });
        Assert.All(outcomes.Failed.Where(f => f.InnerException is not TimeoutException), f => Assert.Equal("Accelerate", f.Node.Name));
        Assert.All(outcomes.Rejected, r => Assert.False(string.IsNullOrEmpty(r.Message)));
        Assert.NotEmpty(outcomes.Cancelled);
        Assert.True(outcomes.Completed.Count >= count / 4, $"{outcomes.Completed.Count} of {count} completed");
        Assert.True(outcomes.Failed.Count >= count / 4, $"{outcomes.Failed.Count} of {count} failed");

        // The abandoned operators return late: nothing more is counted, and nothing is kept per request.
        await Task.Delay(Budget * 3);
        outcomes.AssertAccountedFor(count, before, Counts.Of(runner.Statistics));
        Assert.Equal(0, host.Services.GetRequiredService<AgentRuntime>().InFlight);
        if (count >= 5000)
        {
            long grown = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
            Assert.True(grown < 64L << 20, $"memory grew {grown >> 20} MiB over {count} requests");
        }
    }

    [Fact]
    public async Task ShutdownMidLoad_EndsAndCountsEveryRequest_ByTheShutdownTimeoutPlusTheGrace()
    {
        int count = Requests(300) / 2;
        var shutdownTimeout = TimeSpan.FromMilliseconds(200);
        var (host, _) = await StartAsync(shutdownTimeout);
        var runner = host.Runner<SoakGraph>();
        var runtime = host.Services.GetRequiredService<AgentRuntime>();
        var before = Counts.Of(runner.Statistics);

        // Long budgets: what ends these requests is the shutdown, not their deadlines.
        var load = Outcomes.DriveAsync(count, concurrency: 32, i => runner.RunUntypedAsync([i], new AgentRequestOptions { Budget = TimeSpan.FromSeconds(30) }));
        await DeadlineTests.WaitUntil(() => runner.Statistics.Submitted - before.Submitted >= Math.Min(count / 4, 60)); // the observing hangs fill the slots

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await host.StopAsync();
        var stopped = stopping.Elapsed;
        Assert.Equal(0, runtime.InFlight); // every request ended (and was counted) before StopAsync returned
        Assert.Equal(0, runner.Statistics.InFlight);
        Assert.True(stopped < shutdownTimeout + AgentDslOptions.DefaultCancellationGrace + Slack, $"StopAsync took {stopped.TotalMilliseconds:0} ms");

        var outcomes = await load;
        outcomes.AssertAccountedFor(count, before, Counts.Of(runner.Statistics));
        Assert.NotEmpty(outcomes.Failed); // the hung ones, cut by the shutdown
        Assert.All(outcomes.Failed, f => Assert.Contains(f.Node.Name, new[] { "Prepare", "Accelerate", "Finish" }));
        Assert.All(outcomes.Failed.Where(f => f.InnerException is OperationCanceledException), f => Assert.Contains("shut down", f.InnerException!.Message, StringComparison.Ordinal));
        Assert.All(outcomes.Rejected, r => Assert.Equal(RejectionReason.ShuttingDown, r.Reason));
        host.Dispose();
        await Task.Delay(Budget * 3); // the abandoned operators return after the host is gone: nothing throws
        outcomes.AssertAccountedFor(count, before, Counts.Of(runner.Statistics));
    }
}
