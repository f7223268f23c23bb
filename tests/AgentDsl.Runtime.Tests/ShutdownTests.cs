using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>Requests that outlive the host: they end, are counted, and never throw from a disposed runtime.</summary>
public sealed class ShutdownTests
{
    private static async Task<IHost> StartAsync<TGraph>()
        where TGraph : class, IAgentGraph<TGraph>
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(100));
        builder.Services.AddAgentDsl().AddGraph<TGraph>();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static void AssertAllEnded(AgentGraphStatistics s)
    {
        Assert.Equal(0, s.InFlight);
        Assert.Equal(s.Submitted, s.Completed + s.Failed + s.Rejected + s.Cancelled);
    }

    [Fact]
    public async Task ASynchronousNodeReturningAfterTheHostIsDisposed_EndsTheRequest_WithoutObjectDisposedException()
    {
        var host = await StartAsync<SyncBlockGraph>();
        var graph = host.Services.GetRequiredService<SyncBlockGraph>();
        var runner = host.Runner<SyncBlockGraph>();
        var call = Task.Run(() => runner.RunAsync("x")); // the operator blocks the calling thread
        await graph.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await host.StopAsync();
        AssertAllEnded(runner.Statistics); // ended (failed) at the shutdown timeout plus the grace, though its thread is still blocked
        Assert.Equal(1, runner.Statistics.Failed);
        host.Dispose();
        graph.Release.Set(); // the node completes after the runtime was disposed

        var error = await Record.ExceptionAsync(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<AgentNodeException>(error); // not ObjectDisposedException
        Assert.Contains("shut down", error.InnerException!.Message, StringComparison.Ordinal);
        AssertAllEnded(runner.Statistics);
        Assert.Equal(1, runner.Statistics.Submitted);
    }

    [Fact]
    public async Task AnAsynchronousNodeCompletingAfterTheHostIsDisposed_EndsTheRequestOnThePool_WithoutCrashing()
    {
        var host = await StartAsync<IgnoringGraph>();
        var graph = host.Services.GetRequiredService<IgnoringGraph>();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        graph.Hold = hold;
        var runner = host.Runner<IgnoringGraph>();
        var call = runner.RunAsync(1);
        await graph.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await host.StopAsync();

        // After StopAsync no request hangs: the operator ignores its token, so the request ended at the shutdown
        // timeout plus the grace, failed, naming the node that was running.
        var error = await Assert.ThrowsAsync<AgentNodeException>(() => call.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal("Stall", error.Node.Name);
        Assert.Contains("shut down", error.InnerException!.Message, StringComparison.Ordinal);
        AssertAllEnded(runner.Statistics);

        host.Dispose();
        hold.SetResult(); // completes on a thread-pool thread: an exception there would end the process

        await Record.ExceptionAsync(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(100); // the late node's own continuation, if it still ran, has run by now
        AssertAllEnded(runner.Statistics);
        Assert.Equal(1, runner.Statistics.Submitted);
    }
}
