using AgentDsl.Generated;
using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary><see cref="ResiliencePipelines"/> on its own: which nodes retry and how, device pipelines, breakers taking a device out, attempt timeouts.</summary>
public sealed class ResiliencePipelinesTests
{
    private readonly List<(int Device, TimeSpan Duration, string Why)> _takenOut = [];

    /// <summary>AcceleratedGraph (Accelerate, safe to retry; then Finish) or another graph, on a simulated GPU and the managed CPU.</summary>
    private static RunnerParts Parts(GraphDefinition? graph = null, Action<AgentDslOptions>? configure = null, SimDevice? gpu = null) =>
        new(graph ?? AcceleratedGraph.Definition, [gpu ?? new SimDevice("gpu", DeviceKinds.Gpu, latencyMs: 0), new CpuDevice(Microsoft.Extensions.Options.Options.Create(new AgentDslOptions()))], configure);

    private ResiliencePipelines Pipelines(RunnerParts parts, IServiceProvider? services = null) =>
        new(parts.Definition, parts.Runtime.Queues, parts.Options, services, parts.Statistics, parts.Logger, parts.GraphTag, (d, t, why) => _takenOut.Add((d, t, why)));

    private static async Task<int> Execute(ResiliencePipeline pipeline, Func<int, int> attempt, long deadline = long.MaxValue)
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ResiliencePipelines.DeadlineKey, deadline);
        int attempts = 0;
        try
        {
            return await pipeline.ExecuteAsync((_, _) => ValueTask.FromResult(attempt(attempts++)), context, 0);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [Fact]
    public void AnOperatorSafeToRetry_GetsARetryPipeline_OthersNone()
    {
        using var parts = Parts();
        var pipelines = Pipelines(parts);
        Assert.NotNull(pipelines.RetryOf(parts.Node("Accelerate")));
        Assert.Null(pipelines.RetryOf(parts.Node("Finish")));

        using var unretried = Parts(UnretriedGraph.Definition);
        Assert.Null(Pipelines(unretried).RetryOf(unretried.Node("Accelerate")));

        using var noRetries = Parts(configure: o => o.Resilience.MaxRetries = 0);
        Assert.Null(Pipelines(noRetries).RetryOf(noRetries.Node("Accelerate")));
    }

    [Fact]
    public void OperatorOptions_AreTheGraphQualifiedOnes_ThenTheOperators_ThenTheDefault()
    {
        var qualified = new OperatorResilienceOptions { MaxRetries = 7 };
        var byOperator = new OperatorResilienceOptions { MaxRetries = 5 };
        using var parts = Parts(configure: o =>
        {
            o.Operators["Accelerate"] = byOperator;
            o.Operators["AcceleratedGraph.Accelerate"] = qualified;
            o.Operators["Finish"] = byOperator;
        });
        var pipelines = Pipelines(parts);

        Assert.Same(qualified, pipelines.OptionsOf(parts.Node("Accelerate")));
        Assert.Same(byOperator, pipelines.OptionsOf(parts.Node("Finish")));

        using var plain = Parts();
        Assert.Same(plain.Options.Resilience, Pipelines(plain).OptionsOf(plain.Node("Finish")));
    }

    [Fact]
    public void ARegisteredPipeline_ReplacesTheRetryPipeline_EvenOfAnOperatorNotSafeToRetry()
    {
        var registry = new ResiliencePipelineRegistry<string>();
        var custom = registry.GetOrAddPipeline($"{AgentRunner<UnretriedGraph>.PipelineKeyPrefix}UnretriedGraph.Accelerate", b => b.AddTimeout(TimeSpan.FromSeconds(3)));
        using var services = new ServiceCollection().AddSingleton<ResiliencePipelineProvider<string>>(registry).BuildServiceProvider();
        using var parts = Parts(UnretriedGraph.Definition);

        var pipelines = Pipelines(parts, services);

        Assert.Same(custom, pipelines.RetryOf(parts.Node("Accelerate")));
        Assert.Null(pipelines.RetryOf(parts.Node("Finish")));
    }

    [Fact]
    public async Task TheRetryPipeline_RetriesFailures_CountingAndLoggingEach()
    {
        using var parts = Parts();
        var retry = Pipelines(parts).RetryOf(parts.Node("Accelerate"))!;

        int result = await Execute(retry, attempt => attempt < 2 ? throw new InvalidOperationException("boom") : 42);

        Assert.Equal(42, result);
        Assert.Equal(2, parts.Statistics.Retries);
        Assert.Equal(
            ["Graph AcceleratedGraph: node Accelerate attempt 0 failed on its device (boom); retrying", "Graph AcceleratedGraph: node Accelerate attempt 1 failed on its device (boom); retrying"],
            parts.Logged(AgentDslEventIds.NodeRetried));
    }

    [Fact]
    public async Task NoRetry_StartsOnceTheDeadlineHasPassed()
    {
        using var parts = Parts();
        var retry = Pipelines(parts).RetryOf(parts.Node("Accelerate"))!;
        int attempts = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Execute(retry, _ => { attempts++; throw new InvalidOperationException("boom"); }, deadline: Stopwatch.GetTimestamp() - 1));

        Assert.Equal(1, attempts);
        Assert.Equal(0, parts.Statistics.Retries);
    }

    [Fact]
    public void DevicePipelines_AreMadeOnce_AndNoneForSynchronousWorkOnTheManagedCpu()
    {
        using var parts = Parts();
        var pipelines = Pipelines(parts);
        var accelerate = parts.Definition.GetNode("Accelerate");
        var finish = parts.Definition.GetNode("Finish");
        int gpu = parts.Device("gpu"), cpu = parts.Device(CpuDevice.DeviceName);

        var onGpu = pipelines.DevicePipeline(accelerate, gpu);
        Assert.NotNull(onGpu);
        Assert.Same(onGpu, pipelines.DevicePipeline(accelerate, gpu));
        Assert.Null(pipelines.DevicePipeline(finish, cpu)); // no breaker on the CPU, and a synchronous operator cannot time out
        Assert.Null(pipelines.DevicePipeline(finish, cpu));
        Assert.NotNull(pipelines.DevicePipeline(accelerate, cpu)); // asynchronous: its timeout (the SLA) applies

        using var lax = Parts(UnretriedGraph.Definition, o => o.Resilience.CircuitBreaker = false);
        Assert.NotNull(Pipelines(lax).DevicePipeline(lax.Definition.GetNode("Finish"), lax.Device("gpu"))); // the SLA's timeout
    }

    [Fact]
    public async Task ABreakerThatOpens_TakesItsDeviceOutForTheGraph()
    {
        using var parts = Parts(configure: o =>
        {
            o.Resilience.MinimumThroughput = 2;
            o.Resilience.FailureRatio = 0.5;
            o.Resilience.BreakDuration = TimeSpan.FromSeconds(3);
        });
        var breaker = Pipelines(parts).DevicePipeline(parts.Definition.GetNode("Accelerate"), parts.Device("gpu"))!;

        for (int i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => Execute(breaker, _ => throw new InvalidOperationException("boom")));
        }

        var (device, duration, why) = Assert.Single(_takenOut);
        Assert.Equal(parts.Device("gpu"), device);
        Assert.Equal(TimeSpan.FromSeconds(3), duration);
        Assert.Equal($"the circuit breaker of {parts.Definition.GetNode("Accelerate").Describe()} opened after InvalidOperationException: boom", why);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Execute(breaker, _ => 1));
    }

    [Fact]
    public void OnlyTheRequestsOwnCancellation_DoesNotCountAgainstTheDevice()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.False(ResiliencePipelines.CountsAgainstDevice(new OperationCanceledException(), cancelled.Token));
        Assert.True(ResiliencePipelines.CountsAgainstDevice(new OperationCanceledException(), CancellationToken.None));
        Assert.True(ResiliencePipelines.CountsAgainstDevice(new TimeoutRejectedException(), cancelled.Token));
        Assert.True(ResiliencePipelines.CountsAgainstDevice(new InvalidOperationException(), cancelled.Token));
    }

    [Fact]
    public void ARetry_GetsAtMostTheTimeLeftToTheDeadline_TheFirstAttemptItsWholeTimeout()
    {
        var timeout = TimeSpan.FromSeconds(1);

        Assert.Equal(timeout, AttemptTimeout(attempt: null, deadline: null));
        Assert.Equal(timeout, AttemptTimeout(attempt: 0, deadline: Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 5)));
        Assert.Equal(timeout, AttemptTimeout(attempt: 1, deadline: null));
        Assert.Equal(timeout, AttemptTimeout(attempt: 1, deadline: Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency)));
        Assert.InRange(AttemptTimeout(attempt: 1, deadline: Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 5)), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(1), AttemptTimeout(attempt: 2, deadline: Stopwatch.GetTimestamp() - Stopwatch.Frequency));

        TimeSpan AttemptTimeout(int? attempt, long? deadline)
        {
            var context = ResilienceContextPool.Shared.Get();
            if (attempt is { } a)
            {
                context.Properties.Set(ResiliencePipelines.AttemptKey, a);
            }

            if (deadline is { } d)
            {
                context.Properties.Set(ResiliencePipelines.DeadlineKey, d);
            }

            try
            {
                return ResiliencePipelines.AttemptTimeout(timeout, context);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    [Fact]
    public async Task WorkThatOutlivesItsTimeout_IsAbandoned_NotAwaited()
    {
        var gpu = new SimDevice("gpu", DeviceKinds.Gpu, latencyMs: 0) { Mode = FaultMode.Hang, HangFor = TimeSpan.FromSeconds(3) };
        using var parts = Parts(UnretriedGraph.Definition, o => o.Operators["Accelerate"] = new OperatorResilienceOptions { Timeout = TimeSpan.FromMilliseconds(50), CircuitBreaker = false }, gpu);
        var pipelines = Pipelines(parts);
        var node = parts.Definition.GetNode("Accelerate");
        int device = parts.Device("gpu");
        var work = new NoWork(parts.Definition.Name, node, new NodeValues([1], parts.Definition.Nodes.Length));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
            await pipelines.RunThroughAsync(pipelines.DevicePipeline(node, device)!, parts.Runtime.Queues[device], work, long.MaxValue, CancellationToken.None));

        Assert.True(clock.ElapsedMilliseconds < 2000, $"waited {clock.ElapsedMilliseconds} ms for work that ignores its token");
        Assert.Equal(1, gpu.Calls);
    }

    private sealed class NoWork(string graph, NodeDefinition node, NodeValues values) : NodeWork(graph, node, values)
    {
        public override ValueTask InvokeManagedAsync(CancellationToken cancellationToken) => default;
    }
}
