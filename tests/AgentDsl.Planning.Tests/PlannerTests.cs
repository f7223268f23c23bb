using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;
using Xunit;
using static AgentDsl.Planning.Tests.CostModelTests;
using AgentDsl.Testing;

namespace AgentDsl.Planning.Tests;

public class PlannerTests
{
    private static readonly DeviceSpec H100 = HardwareCatalog.Default["H100-SXM"];
    private static readonly DeviceSpec Cpu = HardwareCatalog.Default["EPYC-9654"];

    internal static GraphDefinition Graph(double slaMs, params NodeDefinition[] nodes) =>
        new("g", "G", "Run", new SlaSpec(slaMs, 0.99), [new GraphInput(0, "x", "float[]")],
            [.. nodes.Select((n, i) => n with { Id = i })], ValueRef.Node(nodes.Length - 1), "float[]");

    [Fact]
    public void WorkedExample_ChoosesPrefillOnHpAndDecodeOnCo_At120MsAnd0095()
    {
        // paper.md: 1,000 prompt tokens, 500 generated, SLA 120 ms; costs per token as in the paper's table.
        var hp = new DeviceSpec { Name = "HP" };
        var co = new DeviceSpec { Name = "CO" };
        var graph = Graph(120, Node("prefill", 0, 0, inputs: ValueRef.Input(0)), Node("decode", 0, 0, inputs: ValueRef.Node(0)));
        var costs = new TableCosts()
            .Node("prefill", "HP", 0.080, 1000 * 0.00008).Node("prefill", "CO", 0.130, 1000 * 0.00005)
            .Node("decode", "HP", 0.025, 500 * 0.00006).Node("decode", "CO", 0.030, 500 * 0.00002)
            .Transfer("prefill", "HP", "CO", 0.010, 1000 * 0.000005).Transfer("prefill", "CO", "HP", 0.010, 1000 * 0.000005);
        var devices = PlanDevice.Of((hp, 1, 0), (co, 1, 0));

        var plan = new CostPlanner().Plan(graph, devices, costs);

        Assert.True(plan.Exact);
        Assert.True(plan.Best.Feasible);
        Assert.Equal(["HP#0", "CO#0"], plan.Best.Devices);
        Assert.Equal(0.120, plan.Best.LatencySeconds, 9);
        Assert.Equal(0.095, plan.Best.Cost, 9);

        var options = plan.Options.ToDictionary(o => string.Join("+", o.Devices.Select(d => d[..2])));
        Assert.Equal((0.105, 0.11), (Math.Round(options["HP+HP"].LatencySeconds, 9), Math.Round(options["HP+HP"].Cost, 9)));
        Assert.Equal((0.160, 0.06), (Math.Round(options["CO+CO"].LatencySeconds, 9), Math.Round(options["CO+CO"].Cost, 9))); // the paper prints $0.07: a slip
        Assert.Equal((0.165, 0.085), (Math.Round(options["CO+HP"].LatencySeconds, 9), Math.Round(options["CO+HP"].Cost, 9)));
    }

    [Fact]
    public void IndependentBranches_GoToDifferentDevices()
    {
        var work = 989.4e12 * 0.01; // 10 ms on an H100
        var graph = Graph(1000,
            Node("split", 0, 1e3, inputs: ValueRef.Input(0)),
            Node("a", work, 1e6, Precision.Fp16, inputs: ValueRef.Node(0)),
            Node("b", work, 1e6, Precision.Fp16, inputs: ValueRef.Node(0)),
            Node("join", 0, 1e3, inputs: [ValueRef.Node(1), ValueRef.Node(2)]));
        var devices = PlanDevice.Of((H100, 2, 3.0));
        var plan = new HeftPlanner().Plan(graph, devices, new RooflineCosts(new CostModel()));
        Assert.True(plan.Feasible);
        Assert.NotEqual(plan.Nodes[1].Device, plan.Nodes[2].Device);
        Assert.True(plan.LatencySeconds < 0.015, $"{plan.LatencySeconds}");
    }

    [Fact]
    public void Insertion_FillsIdleGaps()
    {
        var busy = new List<(double Start, double End)> { (0, 1), (3, 4) };
        Assert.Equal(1, Placement.Schedule.Insert(busy, 0.5, 2));   // fits between 1 and 3
        Assert.Equal(4, Placement.Schedule.Insert(busy, 0, 0.5));   // the gap is now full
        Assert.Equal([(0d, 1d), (1d, 3d), (3d, 4d), (4d, 4.5d)], busy);
    }

    [Fact]
    public void CurrentLoad_MovesWorkToTheIdleDevice()
    {
        var graph = Graph(1000, Node("a", 989.4e12 * 0.01, 1e6, Precision.Fp16, inputs: ValueRef.Input(0)));
        var devices = new[] { new PlanDevice("busy", H100) { ReadyAt = 0.5 }, new PlanDevice("idle", H100) };
        var plan = new HeftPlanner().Plan(graph, devices, new RooflineCosts(new CostModel()));
        Assert.Equal("idle", plan.Nodes[0].Device);
    }

    [Fact]
    public void SmallWork_StaysOnTheCpu_LargeWorkIsOffloaded()
    {
        var model = new CostModel();
        var devices = PlanDevice.Of((Cpu, 1, 0), (H100, 1, 0));
        var costs = new RooflineCosts(model);
        var small = Graph(1000, Node("tiny", 2e6, 4e3, Precision.Fp16, output: 4e3, inputs: ValueRef.Input(0))); // same 500 FLOP/byte as "big"
        var large = Graph(1000, Node("big", 2e12, 4e9, Precision.Fp16, output: 4e3, inputs: ValueRef.Input(0)));
        double breakEven = model.BreakEvenBytes(small.Nodes[0], Cpu, H100);
        Assert.True(4e3 < breakEven && breakEven < 4e9, $"break-even {breakEven}");
        Assert.StartsWith("EPYC", new HeftPlanner().Plan(small, devices, costs).Nodes[0].Device, StringComparison.Ordinal);
        Assert.StartsWith("H100", new HeftPlanner().Plan(large, devices, costs).Nodes[0].Device, StringComparison.Ordinal);
    }

    [Fact]
    public void NoDeviceFits_SaysWhichNodeTheLargestDeviceAndTheShortfall()
    {
        var graph = Graph(1000, Node("llm", 1e12, 1e9, Precision.Fp16, memory: 140e9, inputs: ValueRef.Input(0)));
        var plan = new HeftPlanner().Plan(graph, PlanDevice.Of((H100, 4, 3), (HardwareCatalog.Default["A100-80GB"], 2, 1.3)), new RooflineCosts(new CostModel()));
        Assert.False(plan.Feasible);
        Assert.Equal("memory", plan.Problem!.Constraint);
        Assert.Contains("'llm'", plan.Problem.Message, StringComparison.Ordinal);
        Assert.Contains("needs 140 GB", plan.Problem.Message, StringComparison.Ordinal);
        Assert.Contains("has 80 GB (short by 60 GB)", plan.Problem.Message, StringComparison.Ordinal);
        Assert.Equal(140e9, plan.Problem.Required);
    }

    [Fact]
    public void SlaBelowTheCriticalPath_SaysSoWithTheBoundAndThePath()
    {
        double tenMs = 989.4e12 * 0.010;
        var graph = Graph(15,
            Node("first", tenMs, 1e6, Precision.Fp16, inputs: ValueRef.Input(0)),
            Node("second", tenMs, 1e6, Precision.Fp16, inputs: ValueRef.Node(0)));
        var plan = new HeftPlanner().Plan(graph, PlanDevice.Of((H100, 8, 3)), new RooflineCosts(new CostModel()));
        Assert.False(plan.Feasible);
        Assert.Equal("sla", plan.Problem!.Constraint);
        Assert.Contains("SLA of 15 ms is below the critical path's lower bound of 20.02 ms", plan.Problem.Message, StringComparison.Ordinal);
        Assert.Contains("first → second", plan.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CostPlanner_TradesLatencyForPriceWithinTheSla()
    {
        var a40 = HardwareCatalog.Default["A40"];
        double work = 1e12; // ~1 ms on an H100, ~6.7 ms on an A40
        var graph = Graph(1000, Node("a", work, 1e6, Precision.Fp16, inputs: ValueRef.Input(0)));
        var devices = PlanDevice.Of((H100, 1, 3.0), (a40, 1, 0.15));
        var costs = new RooflineCosts(new CostModel());
        Assert.StartsWith("A40", new CostPlanner().Plan(graph, devices, costs).Best.Devices[0], StringComparison.Ordinal);        // cheap device, SLA loose
        Assert.StartsWith("H100", new CostPlanner().Plan(graph, devices, costs, slaSeconds: 0.002).Best.Devices[0], StringComparison.Ordinal); // only the fast one meets 2 ms
    }

}
