using System.Diagnostics.Metrics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Orchestration;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>Device queues (EDF), admission control, backpressure, graceful shutdown, options and metrics.</summary>
public sealed class OrchestrationTests
{
    private static Task<IHost> StartTight(SimDevice device, Action<AgentDslOptions>? configure = null) =>
        TestHost.StartAsync(s => s.AddAgentDsl(o =>
        {
            o.Operators["Step"] = new OperatorResilienceOptions { Timeout = TimeSpan.FromSeconds(10) };
            configure?.Invoke(o);
        }).AddDevice(device).AddGraph<TightGraph>());

    [Fact]
    public async Task DeviceQueue_ServesEarliestDeadlineFirst()
    {
        var device = new SimDevice("edf", DeviceKinds.Accelerator, latencyMs: 0, concurrency: 1)
        {
            Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        using var host = await StartTight(device, o => o.AdmissionControl = false);
        var runner = host.Runner<TightGraph>();

        // The first request holds the only slot; four more queue with budgets in scrambled order.
        var holder = runner.RunUntypedAsync([0], new AgentRequestOptions { Budget = TimeSpan.FromSeconds(30) });
        await WaitUntil(() => device.Calls == 1);
        int[] budgetsMs = [9_000, 5_000, 7_000, 3_000]; // budgets are enforced: long enough never to run out while queued here
        var queued = new List<Task<AgentRunResult>>();
        foreach (int ms in budgetsMs)
        {
            queued.Add(runner.RunUntypedAsync([ms], new AgentRequestOptions { Budget = TimeSpan.FromMilliseconds(ms) }));
            await WaitUntil(() => host.Services.GetRequiredService<AgentRuntime>().Devices().Single(d => d.Name == "edf").QueueLength == queued.Count);
        }

        device.Gate.SetResult();
        var holderResult = await holder;
        var results = await Task.WhenAll(queued);

        // Started order on the device: the holder, then by deadline (3, 5, 7, 9 s), not arrival (9, 5, 7, 3 s).
        long[] expected = [holderResult.RequestId, .. budgetsMs.Zip(results).OrderBy(p => p.First).Select(p => p.Second.RequestId)];
        Assert.Equal(expected, device.Started);
        Assert.Equal(budgetsMs, results.Select(r => (int)r.OutputValue!));
    }

    [Fact]
    public async Task AdmissionControl_RejectsWhatCannotMeetTheDeadline_SoTheAdmittedMeetIt()
    {
        // 40 ms per request on a one-at-a-time device, SLA 150 ms: at most ~3 queued requests can make it.
        var withControl = await Burst(admission: true);
        var without = await Burst(admission: false);

        Assert.NotEmpty(withControl.Rejected);
        Assert.All(withControl.Rejected, r =>
        {
            Assert.Equal(RejectionReason.DeadlineUnreachable, r.Reason);
            Assert.Contains("exceeds the budget of 150 ms", r.Message, StringComparison.Ordinal);
            Assert.True(r.PredictedMs > r.BudgetMs);
        });
        double metWith = withControl.Completed.Count(c => c.MetSla) / (double)withControl.Completed.Count;
        Assert.True(metWith >= 0.8, $"{metWith:P0} of admitted requests met the SLA");

        Assert.Empty(without.Rejected);
        int missedWithout = without.Completed.Count(c => !c.MetSla);
        int missedWith = withControl.Completed.Count(c => !c.MetSla);
        Assert.True(missedWithout > 10 && missedWith < missedWithout, $"missed: {missedWith} with admission control, {missedWithout} without");

        static async Task<Outcomes> Burst(bool admission)
        {
            var device = new SimDevice("tight", DeviceKinds.Accelerator, latencyMs: 40, concurrency: 1);
            using var host = await StartTight(device, o => o.AdmissionControl = admission);
            var runner = host.Runner<TightGraph>();
            for (int i = 0; i < 3; i++)
            {
                await runner.RunUntypedAsync([i]); // measurements first
            }

            var before = Counts.Of(runner.Statistics);
            var outcomes = await Outcomes.DriveAsync(20, concurrency: 20, i => runner.RunUntypedAsync([i]));
            outcomes.AssertAccountedFor(20, before, Counts.Of(runner.Statistics));
            return outcomes;
        }
    }

    [Fact]
    public async Task AdmissionControl_LetsAProbeThroughAfterTheEstimateLifetime_SoARecoveredDeviceIsSeen()
    {
        var device = new SimDevice("flaky", DeviceKinds.Accelerator, latencyMs: 250, concurrency: 1);
        using var host = await StartTight(device, o => o.Replanning.EstimateLifetime = TimeSpan.FromMilliseconds(400));
        var runner = host.Runner<TightGraph>();
        for (int i = 0; i < 3; i++)
        {
            await runner.RunUntypedAsync([i]); // 250 ms each: over the 150 ms SLA
        }

        var rejected = await Assert.ThrowsAsync<AgentRequestRejectedException>(() => runner.RunUntypedAsync([3]));
        Assert.Equal(RejectionReason.DeadlineUnreachable, rejected.Reason);

        device.LatencyMs = 5; // recovered, but only a request that runs can show it
        await Task.Delay(450);
        var probe = await runner.RunUntypedAsync([4]);
        Assert.True(probe.MetSla);
        var next = await runner.RunUntypedAsync([5]); // the probe's measurement replaced the expired estimate
        Assert.True(next.MetSla);
    }

    [Fact]
    public async Task Backpressure_RejectsBeyondTheInFlightLimit()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl(o => o.MaxInFlightRequests = 2).AddGraph<BlockingGraph>());
        var runner = host.Runner<BlockingGraph>();
        using var cts = new CancellationTokenSource();
        var first = runner.RunAsync("a", cts.Token);
        var second = runner.RunAsync("b", cts.Token);
        var third = await Assert.ThrowsAsync<AgentRequestRejectedException>(() => runner.RunAsync("c", cts.Token));
        Assert.Equal(RejectionReason.QueueFull, third.Reason);
        Assert.Contains("2 requests are already in flight", third.Message, StringComparison.Ordinal);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        var stats = runner.Statistics;
        Assert.Equal((3L, 1L, 2L, 0L), (stats.Submitted, stats.Rejected, stats.Cancelled, stats.InFlight));
        Assert.Equal(1, stats.RejectedFor(RejectionReason.QueueFull));
    }

    [Fact]
    public async Task Shutdown_DrainsRequestsInFlight_AndRejectsNewOnes()
    {
        var device = new SimDevice("slowish", DeviceKinds.Accelerator, latencyMs: 200, concurrency: 4);
        var host = await StartTight(device, o => o.AdmissionControl = false);
        var runner = host.Runner<TightGraph>();
        var running = Enumerable.Range(0, 4).Select(i => runner.RunUntypedAsync([i])).ToList();
        await WaitUntil(() => device.Calls == 4);

        var stopping = host.StopAsync();
        await WaitUntil(() => host.Services.GetRequiredService<AgentRuntime>().Stopping);
        var late = await Assert.ThrowsAsync<AgentRequestRejectedException>(() => runner.RunUntypedAsync([9]));
        Assert.Equal(RejectionReason.ShuttingDown, late.Reason);

        await stopping;
        Assert.All(running, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal([0, 1, 2, 3], (await Task.WhenAll(running)).Select(r => (int)r.OutputValue!));
        host.Dispose();
    }

    [Fact]
    public async Task Shutdown_CancelsWhatIsStillRunningWhenTheTimeoutRunsOut()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        builder.Services.AddAgentDsl().AddGraph<BlockingGraph>();
        using var host = builder.Build();
        await host.StartAsync();
        var graph = host.Services.GetRequiredService<BlockingGraph>();
        var pending = host.Runner<BlockingGraph>().RunAsync("x");
        await graph.Started.Task;

        await host.StopAsync();
        var error = await Assert.ThrowsAsync<AgentNodeException>(() => pending);
        Assert.Contains("shut down", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(1, host.Runner<BlockingGraph>().Statistics.Failed);
    }

    [Fact]
    public async Task InvalidOperatorOptions_FailAtStartNamingTheEntry()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentDsl:Operators:Search:FailureRatio"] = "2",
            ["AgentDsl:Devices:cpu:MaxConcurrency"] = "-3",
        });
        builder.UseAgentDsl(b => b.AddGraph<CalculatorGraph>());
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AgentDsl:Operators:Search", error.Message, StringComparison.Ordinal);
        Assert.Contains("FailureRatio", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrency", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorOptions_BindFromConfiguration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentDsl:Operators:Accelerate:Timeout"] = "00:00:00.250",
            ["AgentDsl:Operators:Accelerate:MaxRetries"] = "5",
            ["AgentDsl:Devices:cpu:HourlyCostUsd"] = "0.5",
            ["AgentDsl:MaxInFlightRequests"] = "7",
        });
        builder.UseAgentDsl(b => b.AddGraph<CalculatorGraph>());
        using var host = builder.Build();
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<AgentDslOptions>>().Value;
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Operators["Accelerate"].Timeout);
        Assert.Equal(5, options.Operators["Accelerate"].MaxRetries);
        Assert.Equal(0.5, options.Devices["cpu"].HourlyCostUsd);
        Assert.Equal(7, options.MaxInFlightRequests);
        await host.StopAsync();
    }

    [Fact]
    public async Task Metrics_ReportQueuesUtilisationSlaRejectionsAndCost()
    {
        var seen = new Dictionary<string, List<(double Value, Dictionary<string, object?> Tags)>>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AgentDslTelemetry.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument i, double v, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var t in tags)
            {
                copy[t.Key] = t.Value;
            }

            lock (seen)
            {
                if (!seen.TryGetValue(i.Name, out var list))
                {
                    seen[i.Name] = list = [];
                }

                list.Add((v, copy));
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var device = new SimDevice("metered", DeviceKinds.Accelerator, latencyMs: 20, concurrency: 1);
        using var host = await StartTight(device, o => o.MaxInFlightRequests = 3);
        var runner = host.Runner<TightGraph>();
        var outcomes = await Outcomes.DriveAsync(6, concurrency: 6, i => runner.RunUntypedAsync([i]));
        listener.RecordObservableInstruments();

        List<(double Value, Dictionary<string, object?> Tags)> Of(string name)
        {
            lock (seen)
            {
                return seen.TryGetValue(name, out var list) ? [.. list.Where(m => Equals(m.Tags.GetValueOrDefault("agentdsl.graph"), "TightGraph") || Equals(m.Tags.GetValueOrDefault("agentdsl.device"), "metered"))] : [];
            }
        }

        Assert.Equal(outcomes.Rejected.Count, Of("agentdsl.requests.rejected").Sum(m => m.Value));
        Assert.Contains(Of("agentdsl.requests.rejected"), m => Equals(m.Tags["agentdsl.reason"], "QueueFull"));
        Assert.Equal(6, Of("agentdsl.requests.sla").Sum(m => m.Value));
        Assert.Equal(outcomes.Completed.Count(r => r.MetSla), Of("agentdsl.requests.sla").Where(m => Equals(m.Tags["agentdsl.sla_met"], true)).Sum(m => m.Value));

        // 20 ms at $3.60/h is $0.00002 a request.
        var costs = Of("agentdsl.request.cost").Select(m => m.Value).ToList();
        Assert.Equal(outcomes.Completed.Count, costs.Count);
        Assert.All(costs, c => Assert.InRange(c, 1.5e-5, 1e-4));
        Assert.All(outcomes.Completed, r => Assert.InRange(r.CostUsd, 1.5e-5, 1e-4));
        Assert.Equal(outcomes.Completed.Sum(r => r.CostUsd), runner.Statistics.TotalCostUsd, tolerance: 1e-8); // kept in nano-dollars

        Assert.Contains(Of("agentdsl.device.queue_length"), m => Equals(m.Tags["agentdsl.device"], "metered"));
        var busy = Of("agentdsl.device.busy_time").Single(m => Equals(m.Tags["agentdsl.device"], "metered"));
        Assert.InRange(busy.Value, 0.02 * outcomes.Completed.Count * 0.9, 5);
        Assert.Contains(Of("agentdsl.device.utilization"), m => Equals(m.Tags["agentdsl.device"], "metered") && m.Value > 0);
    }

    [Fact]
    public async Task CustomPolicy_SeesMeasurementsAndIsAskedAgainWhenADeviceGoesAway()
    {
        var policy = new RecordingPolicy();
        var accel = new SimDevice("accel", DeviceKinds.Gpu, latencyMs: 1);
        var backup = new SimDevice("backup", DeviceKinds.Accelerator, latencyMs: 1);
        using var host = await TestHost.StartAsync(s =>
        {
            s.AddSingleton<IPlacementPolicy>(policy);
            s.AddAgentDsl().AddDevice(accel).AddDevice(backup).AddGraph<UnretriedGraph>();
        });
        var runner = host.Runner<UnretriedGraph>();
        for (int i = 0; i < 5; i++)
        {
            await runner.RunUntypedAsync([i]);
        }

        accel.Mode = FaultMode.Unavailable;
        var result = await runner.RunUntypedAsync([5]);
        Assert.Equal(11, result.OutputValue);
        Assert.Equal("backup", result.Nodes.Single(n => n.Name == "Accelerate").Device);

        var requests = policy.Requests;
        Assert.Equal("start", requests[0].Reason);
        var outRequest = requests.Last(r => r.Reason == "device-out");
        Assert.DoesNotContain(outRequest.Devices, d => d.Descriptor.Name == "accel");
        Assert.True(outRequest.Estimates.TryGetMilliseconds(UnretriedGraph.Definition.GetNode("Accelerate").Id, accel, out double ms) && ms > 0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 10 s");
            await Task.Delay(5);
        }
    }

    /// <summary>Puts the model on the first GPU in service, else the first device that can run it; records each request.</summary>
    private sealed class RecordingPolicy : IPlacementPolicy
    {
        public List<PlacementRequest> Requests { get; } = [];

        public IReadOnlyList<IAgentDevice> Place(Ir.GraphDefinition graph, IReadOnlyList<IAgentDevice> devices) =>
            Place(new PlacementRequest(graph, devices, null!, "direct"));

        public IReadOnlyList<IAgentDevice> Place(PlacementRequest request)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }

            return [.. request.Graph.Nodes.Select(n =>
                request.Devices.Where(d => d.CanHost(n))
                    .OrderBy(d => (n.Cost.PreferredDevices & d.Descriptor.Kind) != 0 ? 0 : 1)
                    .First())];
        }
    }
}

public sealed class NodeEstimatesTests
{
    [Fact]
    public void Median5_EqualsTheMiddleOfTheSortedValues()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            var v = Enumerable.Range(0, 5).Select(_ => (double)random.Next(0, 6)).ToArray(); // ties included
            var sorted = v.Order().ToArray();
            Assert.Equal(sorted[2], AgentDsl.Orchestration.NodeEstimates.Median5([.. v]));
        }
    }
}
