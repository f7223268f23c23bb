using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Execution;
using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace AgentDsl.Runtime.Tests;

public class AgentRunnerTests
{
    [Fact]
    public async Task IndependentBranches_RunConcurrently()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<DiamondGraph>());

        // Left and Right each wait for the other to start: a sequential runtime would time out here.
        var result = await host.Runner<DiamondGraph>().RunAsync("Hello big World");

        Assert.Equal("HELLO|world", result.Output);
        var left = result.Nodes.Single(n => n.Name == "Left");
        var right = result.Nodes.Single(n => n.Name == "Right");
        Assert.True(left.Started < right.Finished && right.Started < left.Finished, "Left and Right did not overlap.");
        var split = result.Nodes.Single(n => n.Name == "Split");
        Assert.True(left.Started >= split.Finished && right.Started >= split.Finished, "A branch started before its input was ready.");
        var join = result.Nodes.Single(n => n.Name == "Join");
        Assert.True(join.Started >= left.Finished && join.Started >= right.Finished, "Join started before both branches finished.");
        Assert.All(result.Nodes, n => Assert.Equal(CpuDevice.DeviceName, n.Device));
        Assert.True(result.MetSla);
    }

    [Fact]
    public async Task Runner_MatchesCallingTheFlowDirectly()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<CalculatorGraph>());
        var runner = host.Runner<CalculatorGraph>();
        var graph = host.Services.GetRequiredService<CalculatorGraph>();
        var random = new Random(1234);
        for (int i = 0; i < 50; i++)
        {
            int a = random.Next(-1000, 1000), b = random.Next(-1000, 1000);
            var viaGraph = await runner.RunAsync(a, b);
            double direct = await new CalculatorGraph().Compute(a, b, CancellationToken.None);
            Assert.Equal(direct, viaGraph.Output);
            Assert.Equal(CalculatorGraph.Definition.Nodes.Length, viaGraph.Nodes.Count);
        }

        // The void and Task operators nobody reads from still ran, once per request.
        Assert.Equal(50, graph.Log.Count(l => l == "scaled"));
        Assert.Equal(50, graph.Log.Count(l => l == "async"));
    }

    [Fact]
    public async Task Operators_SeeTheCallersExecutionContext_AndNotEachOthersChanges()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ContextGraph>());
        var runner = host.Runner<ContextGraph>();
        string direct;
        ContextGraph.Ambient.Value = "caller";
        try
        {
            direct = await new ContextGraph().Run("x");
            for (int i = 0; i < 50; i++)
            {
                // After its first await each operator continues on another thread; what runs next must still see the
                // caller's value, as it does when the flow is called directly.
                var result = await runner.RunAsync("x");
                Assert.Equal(direct, result.Output);
            }
        }
        finally
        {
            ContextGraph.Ambient.Value = null;
        }

        Assert.Equal("x:caller:caller:caller", direct);
    }

    [Fact]
    public async Task OperatorException_FailsTheRequest_NamingTheNode_AndKeepingTheOriginal()
    {
        var logs = new CapturingLoggerProvider();
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<FailingGraph>(), logs);
        var graph = host.Services.GetRequiredService<FailingGraph>();

        var error = await Assert.ThrowsAsync<AgentNodeException>(() => host.Runner<FailingGraph>().RunAsync(3));

        Assert.Same(FailingGraph.Failure, error.InnerException);
        Assert.Equal("Boom", error.Node.Name);
        Assert.Equal("FailingGraph", error.Graph);
        Assert.Equal(CpuDevice.DeviceName, error.Device);
        Assert.Contains("'Boom'", error.Message, StringComparison.Ordinal);
        Assert.Contains("FailingGraph.cs", error.Message, StringComparison.Ordinal);
        Assert.Contains("the tool is down", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Node.Source);
        Assert.Equal(LineOf("TestGraphs/FailingGraph.cs", "await Boom(x, ct)"), error.Node.Source!.Line);

        // The sibling branch was cancelled before the request failed, and nothing downstream ran.
        Assert.True(graph.SlowCancelled.Task.IsCompleted, "The parallel node was not cancelled.");
        Assert.Equal(0, graph.AfterRan);
        var logged = Assert.Single(logs.Entries, e => e.Id.Id == AgentDslEventIds.RunFailed);
        Assert.Same(FailingGraph.Failure, logged.Exception);
        Assert.Contains("Boom", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_ReachesTheOperator_AndCancelsTheRequest()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<BlockingGraph>());
        var graph = host.Services.GetRequiredService<BlockingGraph>();
        using var cts = new CancellationTokenSource();

        var run = host.Runner<BlockingGraph>().RunAsync("x", cts.Token);
        await graph.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var seen = await graph.SawCancellation.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(seen.IsCancellationRequested);
    }

    [Fact]
    public async Task AlreadyCancelledToken_ThrowsWithoutRunning()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<BlockingGraph>());
        var graph = host.Services.GetRequiredService<BlockingGraph>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Runner<BlockingGraph>().RunAsync("x", new CancellationToken(true)));
        Assert.False(graph.Started.Task.IsCompleted);
    }

    [Fact]
    public async Task WrongNumberOfInputs_IsRejectedWithTheSignature()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<CalculatorGraph>());
        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.Runner<CalculatorGraph>().RunUntypedAsync([1]));
        Assert.Contains("int a, int b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentRequests_DoNotShareState()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<CalculatorGraph>());
        var runner = host.Runner<CalculatorGraph>();
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => runner.RunAsync(i, i + 1)));
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(((i * i) + ((i + 1) * (i + 1))) * 0.5 + 7, results[i].Output);
        }
    }

    [Fact]
    public async Task CpuConcurrencyLimit_IsHonoured()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl(o => o.CpuMaxConcurrency = 1).AddGraph<FanGraph>());
        var result = await host.Runner<FanGraph>().RunAsync(2);
        Assert.Equal(8, result.Output);
        Assert.Equal(1, host.Services.GetRequiredService<FanGraph>().MaxObserved);
    }

    [Fact]
    public async Task WithoutALimit_SyncBranchesOverlap()
    {
        // Sync operators run on the thread pool. On a 2-core machine the pool starts with 2 workers and the
        // test runner may block one, so make sure workers exist; the runtime must then use them in parallel.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 8), io);
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<FanGraph>());
        var result = await host.Runner<FanGraph>().RunAsync(2);
        Assert.True(host.Services.GetRequiredService<FanGraph>().MaxObserved > 1, "Four independent sync operators never ran at the same time: " + string.Join(", ", result.Nodes.Select(n => $"{n.Name}@{n.Started.TotalMilliseconds}+{n.Duration.TotalMilliseconds}")));
    }

    [Fact]
    public async Task Spans_AreEmittedPerRequestAndPerNode()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AgentDslTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<CalculatorGraph>());
        using (var test = new Activity("test").Start())
        {
            // Other tests run graphs concurrently: keep only the spans of this trace.
            await host.Runner<CalculatorGraph>().RunAsync(1, 2);
        }

        List<Activity> mine;
        lock (activities)
        {
            mine = [.. activities.Where(a => (string?)a.GetTagItem("agentdsl.graph") == "calculator")];
        }

        var traceId = mine.Single(a => a.OperationName == AgentDslTelemetry.RunActivityName && a.Parent?.OperationName == "test").TraceId;
        mine = [.. mine.Where(a => a.TraceId == traceId)];

        var run = Assert.Single(mine, a => a.OperationName == AgentDslTelemetry.RunActivityName);
        var nodes = mine.Where(a => a.OperationName == AgentDslTelemetry.NodeActivityName).ToList();
        Assert.Equal(CalculatorGraph.Definition.Nodes.Select(n => n.Name).Order(), nodes.Select(n => (string)n.GetTagItem("agentdsl.node")!).Order());
        Assert.All(nodes, n => Assert.Equal(run.SpanId, n.ParentSpanId));
    }

    [Fact]
    public async Task Spans_DoNotStayCurrentOnTheCallersThread()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AgentDslTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<BlockingGraph>());
        using var cts = new CancellationTokenSource();
        using var test = new Activity("caller").Start();

        // The node starts on this thread and waits (until cancelled) when RunAsync returns.
        var pending = host.Runner<BlockingGraph>().RunUntypedAsync(["x"], cts.Token); // not async itself: a leak would show
        Assert.False(pending.IsCompleted);
        Assert.Same(test, Activity.Current);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task NodeThatFitsNoDevice_FailsAtResolutionNamingTheNode()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<GpuOnlyGraph>());
        var error = Assert.Throws<PlacementException>(() => host.Runner<GpuOnlyGraph>());
        Assert.Contains("'Gemm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gpu", error.Message, StringComparison.Ordinal);
        Assert.Contains("cpu (Cpu)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomDevice_RunsTheNodesItIsPreferredFor()
    {
        var gpu = new RecordingDevice("fake-gpu", DeviceKinds.Gpu);
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddDevice(gpu).AddGraph<GpuOnlyGraph>());
        var result = await host.Runner<GpuOnlyGraph>().RunAsync([1f, 2f]);
        Assert.Equal([1f, 2f], result.Output);
        Assert.Equal("fake-gpu", Assert.Single(result.Nodes).Device);
        Assert.Equal(["Gemm"], gpu.Ran);
    }

    [Fact]
    public async Task CustomPlacementPolicy_ReplacesTheDefault()
    {
        var remote = new RecordingDevice("remote", DeviceKinds.Remote);
        using var host = await TestHost.StartAsync(s =>
        {
            s.AddSingleton<IPlacementPolicy>(new EverythingOn("remote"));
            s.AddAgentDsl().AddDevice(remote).AddGraph<CalculatorGraph>();
        });
        var result = await host.Runner<CalculatorGraph>().RunAsync(3, 4);
        Assert.Equal(19.5, result.Output);
        Assert.All(result.Nodes, n => Assert.Equal("remote", n.Device));
        Assert.Equal(CalculatorGraph.Definition.Nodes.Length, remote.Ran.Count);
    }

    [Fact]
    public async Task APolicyPlacingANodeWhereItIsNotAllowed_IsRefusedNamingTheNode()
    {
        using var host = await TestHost.StartAsync(s =>
        {
            s.AddSingleton<IPlacementPolicy>(new EverythingOn("cpu"));
            s.AddAgentDsl().AddDevice(new RecordingDevice("fake-gpu", DeviceKinds.Gpu)).AddGraph<GpuOnlyGraph>();
        });
        var error = Assert.Throws<PlacementException>(() => host.Runner<GpuOnlyGraph>());
        Assert.Contains("'Gemm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not allow", error.Message, StringComparison.Ordinal);
    }

    private static int LineOf(string file, string text, [System.Runtime.CompilerServices.CallerFilePath] string caller = "")
    {
        var lines = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(caller)!, file));
        return Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal)) + 1;
    }

    private sealed class RecordingDevice(string name, DeviceKinds kind) : IAgentDevice
    {
        public List<string> Ran { get; } = [];

        public DeviceDescriptor Descriptor { get; } = new(name, kind);

        public bool CanRun(NodeDefinition node) => true;

        public ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
        {
            lock (Ran)
            {
                Ran.Add(work.Node.Name);
            }

            return work.InvokeManagedAsync(cancellationToken);
        }
    }

    private sealed class EverythingOn(string deviceName) : IPlacementPolicy
    {
        public IReadOnlyList<IAgentDevice> Place(GraphDefinition graph, IReadOnlyList<IAgentDevice> devices) =>
            [.. graph.Nodes.Select(_ => devices.Single(d => d.Descriptor.Name == deviceName))];
    }
}
