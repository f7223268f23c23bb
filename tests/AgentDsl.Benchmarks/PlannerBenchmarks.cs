using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.OrTools;
using AgentDsl.Planning.Placement;
using BenchmarkDotNet.Attributes;

namespace AgentDsl.Benchmarks;

/// <summary>HEFT placement time for generated graphs of 10 to 10,000 nodes over 8 device types (target: 10,000 nodes in under 1 s).</summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
public class PlannerBenchmarks
{
    private GraphDefinition _graph = null!;
    private IReadOnlyList<PlanDevice> _devices = null!;
    private RooflineCosts _costs = null!;

    [Params(10, 100, 1_000, 10_000)]
    public int Nodes { get; set; }

    public static IReadOnlyList<PlanDevice> EightTypes() => PlanDevice.Of(
        [.. new[] { "EPYC-9654", "A100-80GB", "H100-SXM", "H200-SXM", "B200", "MI300X", "Gaudi3", "L40S" }
            .Select(n => (HardwareCatalog.Default[n], 1, 1.0))]);

    [GlobalSetup]
    public void Setup()
    {
        _graph = GapHarness.RandomGraph(Nodes, new Random(42));
        _devices = EightTypes();
        _costs = new RooflineCosts(new CostModel());
    }

    [Benchmark(Description = "HEFT with insertion")]
    public double Heft() => new HeftPlanner().Plan(_graph, _devices, _costs).LatencySeconds;
}
