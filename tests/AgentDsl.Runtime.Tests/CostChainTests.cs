using AgentDsl.Devices;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>The cost chain in the runtime: measured times, else the roofline from hints and device figures, else the prior (issue 13 point 2).</summary>
public sealed class CostChainTests
{
    private static readonly DeviceFigures H100 = CostChain.ToFigures(HardwareCatalog.Default["H100-SXM"], "catalog H100-SXM");

    [Fact]
    public async Task FreshHost_WithAProfile_PlacesByHintsAlone_HeavyOnTheFasterDevice_LightOnTheCpu()
    {
        // The GPU states no figures of its own: it takes them from the profile's only GPU type; the CPU has its stated defaults.
        string profile = Path.Combine(Path.GetTempPath(), $"agentdsl-{Guid.NewGuid():N}.hardware.json");
        File.WriteAllText(profile, """{ "devices": [ { "catalog": "H100-SXM", "count": 1 } ] }""");
        try
        {
            var gpu = new RecordingDevice("fake-gpu", DeviceKinds.Gpu, figures: null);
            using var host = await TestHost.StartAsync(s => s.AddAgentDsl(o => o.HardwareProfile = profile).AddDevice(gpu).AddGraph<HintGraph>());

            var result = await host.Runner<HintGraph>().RunUntypedAsync([20]); // the first request: nothing measured yet
            Assert.Equal(42, result.OutputValue);
            Assert.Equal(["Heavy"], gpu.Ran);
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public void ChainOrder_TheRooflineOverridesThePrior_AMeasurementOverridesTheRoofline()
    {
        var graph = HintGraph.Definition;
        var cpu = new CpuDevice(Options.Create(new AgentDslOptions()));
        var policy = new PlannedPlacementPolicy();
        int heavy = graph.Nodes.Single(n => n.Name == "Heavy").Id, light = graph.Nodes.Single(n => n.Name == "Light").Id;

        // Prior only (the GPU has no figures): no preference, the same guess everywhere; the CPU, first, takes both.
        var bare = new RecordingDevice("gpu", DeviceKinds.Gpu, figures: null);
        var byPrior = policy.Place(new PlacementRequest(graph, [cpu, bare], new Estimates(), "start"));
        Assert.Same(cpu, byPrior[heavy]);

        // Roofline (both devices have figures): the heavy node on the GPU, the light one on the CPU (launch overhead 1 µs vs 10 µs).
        var gpu = new RecordingDevice("gpu", DeviceKinds.Gpu, H100);
        var byRoofline = policy.Place(new PlacementRequest(graph, [cpu, gpu], new Estimates(), "start"));
        Assert.Same(gpu, byRoofline[heavy]);
        Assert.Same(cpu, byRoofline[light]);

        // Measured: the heavy node runs in 1 ms on the CPU and 5 s on the GPU, whatever the roofline says.
        var measured = new Estimates { [(heavy, cpu)] = 1, [(heavy, gpu)] = 5_000 };
        var byMeasurement = policy.Place(new PlacementRequest(graph, [cpu, gpu], measured, "slowdown"));
        Assert.Same(cpu, byMeasurement[heavy]);
    }

    [Fact]
    public void ChainOrder_InTheOneRule_MeasuredThenRooflineThenPrior()
    {
        Assert.Equal(new CostEstimate(2, CostSource.Measured), CostChain.Choose(2, 3, 0.5, 4));
        Assert.Equal(new CostEstimate(1.5, CostSource.Roofline), CostChain.Choose(double.NaN, 3, 0.5, 4));
        Assert.Equal(new CostEstimate(3, CostSource.Roofline), CostChain.Choose(double.NaN, 3, double.NaN, 4));
        Assert.Equal(new CostEstimate(4, CostSource.Prior), CostChain.Choose(double.NaN, double.NaN, 0.5, 4));
    }

    [Fact]
    public void Estimates_OneOutlierDoesNotMoveTheMean_ALastingChangeDoes()
    {
        var queues = new[] { new DeviceQueue(new RecordingDevice("d", DeviceKinds.Gpu, null), 0, 1, 0) };
        var estimates = new NodeEstimates(1, queues, TimeSpan.FromHours(1));
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < 10; i++)
        {
            estimates.Record(0, 0, 10, 10, slowdownFactor: 3, now);
        }

        estimates.Record(0, 0, 1_000, 1_000, slowdownFactor: 3, now); // a GC pause
        Assert.Equal(10, estimates.Milliseconds(0, 0, now), precision: 6);

        for (int i = 0; i < 10; i++)
        {
            estimates.Record(0, 0, 100, 100, slowdownFactor: 3, now);
        }

        Assert.True(estimates.Milliseconds(0, 0, now) > 90, $"mean {estimates.Milliseconds(0, 0, now)} ms after ten runs of 100 ms");
    }

    [Fact]
    public async Task UnknownCatalogName_FailsStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(s => s.AddAgentDsl(o =>
            o.Devices["cpu"] = new DeviceOptions { Catalog = "NoSuchChip" }).AddGraph<HintGraph>()));
        Assert.Contains("AgentDsl:Devices:cpu:Catalog", error.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchChip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_HardwareProfileAndCatalogKeys_AreKnown_AndGiveTheCpuItsFigures()
    {
        string profile = Path.Combine(Path.GetTempPath(), $"agentdsl-{Guid.NewGuid():N}.hardware.json");
        File.WriteAllText(profile, """{ "devices": [ { "catalog": "EPYC-9654", "count": 1 } ] }""");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AgentDsl:HardwareProfile"] = profile,
                ["AgentDsl:Devices:opencl-0-1:Catalog"] = "H100-SXM",
            });
            builder.UseAgentDsl(a => a.AddGraph<HintGraph>());
            using var host = builder.Build();
            await host.StartAsync();
            var figures = host.Services.GetRequiredService<CpuDevice>().Descriptor.Figures;
            Assert.NotNull(figures);
            Assert.Contains("EPYC-9654", figures.Source, StringComparison.Ordinal); // the profile's CPU, not the default
            Assert.Equal(HardwareCatalog.Default["EPYC-9654"].MemoryBandwidthGBs, figures.MemoryBandwidthGBs);
            await host.StopAsync();
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public async Task MalformedProfile_FailsStart_NamingTheKeyAndTheFile()
    {
        string profile = Path.Combine(Path.GetTempPath(), $"agentdsl-{Guid.NewGuid():N}.hardware.json");
        File.WriteAllText(profile, """{ "devices": [ { "catalog": "NoSuchChip", "count": 1 } ] }""");
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(s => s.AddAgentDsl(o => o.HardwareProfile = profile).AddGraph<HintGraph>()));
            Assert.Contains("AgentDsl:HardwareProfile", error.Message, StringComparison.Ordinal);
            Assert.Contains(Path.GetFileName(profile), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public async Task TheRuntimesRuns_FeedTheOneCalibrationStore_WhichThePlannersRead()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<HintGraph>());
        var runner = host.Runner<HintGraph>();
        for (int i = 0; i < CalibrationHistory.MinimumSamples; i++)
        {
            await runner.RunUntypedAsync([i]);
        }

        var history = host.Services.GetRequiredService<CalibrationHistory>();
        Assert.Same(host.Services.GetRequiredService<AgentRuntime>().Calibration, history);
        var light = HintGraph.Definition.Nodes.Single(n => n.Name == "Light");
        var cpu = CostChain.ToSpec(host.Services.GetRequiredService<CpuDevice>().Descriptor)!;
        Assert.Equal(CalibrationHistory.MinimumSamples, history.Count(light.Operator, cpu.Name, CostModel.InputSize(light)));
        double measured = history.MeasuredSeconds(light.Operator, cpu.Name, CostModel.InputSize(light));
        Assert.False(double.IsNaN(measured));
        Assert.Equal(measured, new CostModel(calibration: history).Seconds(light, cpu)); // the planner's chain takes the runtime's measurement
    }

    private sealed class Estimates : Dictionary<(int Node, IAgentDevice Device), double>, INodeTimeEstimates
    {
        public bool TryGetMilliseconds(int nodeId, IAgentDevice device, out double milliseconds) => TryGetValue((nodeId, device), out milliseconds);

        public double BestMilliseconds(int nodeId) => this.Where(e => e.Key.Node == nodeId).Select(e => e.Value).DefaultIfEmpty(double.NaN).Min();

        public double BacklogMilliseconds(IAgentDevice device) => 0;
    }

    private sealed class RecordingDevice(string name, DeviceKinds kind, DeviceFigures? figures) : IAgentDevice
    {
        public List<string> Ran { get; } = [];

        public DeviceDescriptor Descriptor { get; } = new(name, kind) { Figures = figures, MaxConcurrency = 4 };

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
}
