using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;
using Xunit;

namespace AgentDsl.Planning.Tests;

public class DecompositionTests
{
    private static GraphDefinition Agent() => new(
        "voice", "Voice", "Run", new SlaSpec(2000, 0.99), [new GraphInput(0, "audio", "byte[]")],
        [
            new NodeDefinition(0, "Transcribe", "Transcribe", OperatorKind.Tool, "string", true, [new NodeInput("audio", "byte[]", ValueRef.Input(0))]),
            new NodeDefinition(1, "Answer", "Answer", OperatorKind.Llm, "string", true, [new NodeInput("text", "string", ValueRef.Node(0))])
            {
                Cost = new CostHints
                {
                    Model = new ModelDescription { Name = "llama-3-8b", Parameters = 8.03e9, Layers = 32, HiddenSize = 4096, Heads = 32, KvHeads = 8, Precision = Precision.Fp16, PromptTokens = 512, OutputTokens = 128 },
                },
            },
            new NodeDefinition(2, "Speak", "Speak", OperatorKind.Tool, "byte[]", true, [new NodeInput("text", "string", ValueRef.Node(1))]),
        ],
        ValueRef.Node(2),
        "byte[]");

    [Fact]
    public void LlmNode_BecomesPrefillKvTransferDecode_WithDerivedCosts()
    {
        var lowered = LlmDecomposition.Apply(Agent());
        Assert.Equal(["Transcribe", "Answer.prefill", "Answer.kv", "Answer.decode", "Speak"], lowered.Nodes.Select(n => n.Name));
        Assert.Equal([NodePhase.None, NodePhase.Prefill, NodePhase.KvTransfer, NodePhase.Decode, NodePhase.None], lowered.Nodes.Select(n => n.Phase));
        Assert.Equal(ValueRef.Node(3), lowered.GetNode("Speak").Inputs[0].Value); // consumers now read the decode node
        Assert.Equal(ValueRef.Node(0), lowered.GetNode("Answer.prefill").Inputs[0].Value);

        double weights = 8.03e9 * 2, kv = 131_072.0 * 512;
        var prefill = lowered.GetNode("Answer.prefill");
        Assert.Equal(2 * 8.03e9 * 512, prefill.Cost.Flops);
        Assert.Equal(kv, prefill.OutputBytes);
        Assert.Equal(weights + kv, prefill.Cost.MemoryFootprintBytes);
        Assert.Equal(kv, lowered.GetNode("Answer.kv").Cost.BytesMoved);
        var decode = lowered.GetNode("Answer.decode");
        Assert.Equal(2 * 8.03e9 * 128, decode.Cost.Flops);
        Assert.Equal(128 * (weights + (131_072.0 * (512 + 64))), decode.Cost.BytesMoved);
        Assert.Equal(weights + (131_072.0 * 640), decode.Cost.MemoryFootprintBytes);
    }

    [Fact]
    public void CostAsOneNode_GivesTheLlmNodeThePrefillAndDecodeWorkTogether_AndKeepsTheGraphsShape()
    {
        var whole = LlmDecomposition.CostAsOneNode(Agent());
        var split = LlmDecomposition.Apply(Agent());
        Assert.Equal(["Answer"], whole.Costed);
        Assert.Equal(Agent().Nodes.Select(n => n.Name), whole.Graph.Nodes.Select(n => n.Name));
        var answer = whole.Graph.GetNode("Answer").Cost;
        Assert.Equal(split.GetNode("Answer.prefill").Cost.Flops + split.GetNode("Answer.decode").Cost.Flops, answer.Flops);
        Assert.Equal(split.GetNode("Answer.prefill").Cost.BytesMoved + split.GetNode("Answer.decode").Cost.BytesMoved, answer.BytesMoved);
        Assert.Equal(split.GetNode("Answer.decode").Cost.MemoryFootprintBytes, answer.MemoryFootprintBytes);
        Assert.Equal(0, whole.Graph.GetNode("Transcribe").Cost.Flops); // not an LLM node: left as it is

        // A node that states its own work, or whose model the formulas cannot describe, is left as it is.
        var stated = LlmDecomposition.CostAsOneNode(Rewrite(Agent(), n => n.Cost with { Flops = 1e9 }));
        Assert.Empty(stated.Costed);
        Assert.Equal(1e9, stated.Graph.GetNode("Answer").Cost.Flops);
        var vague = LlmDecomposition.CostAsOneNode(Rewrite(Agent(), n => n.Cost with { Model = new ModelDescription { Name = "some-llm" } }));
        Assert.Empty(vague.Costed);
    }

    private static GraphDefinition Rewrite(GraphDefinition g, Func<NodeDefinition, CostHints> answerCost) =>
        new(g.Name, g.TypeName, g.Flow, g.Sla, g.Inputs, [.. g.Nodes.Select(n => n.Name == "Answer" ? n with { Cost = answerCost(n) } : n)], g.Output, g.OutputType);

    [Fact]
    public void Mlir_ShowsTheGraphBeforeAndAfterThePass()
    {
        string before = Agent().ToMlir();
        string after = LlmDecomposition.Apply(Agent()).ToMlir();
        Assert.Contains("\"llm.generate\"", before, StringComparison.Ordinal);
        Assert.DoesNotContain("llm.prefill", before, StringComparison.Ordinal);
        Assert.Contains("%n1 = \"llm.prefill\"(%n0)", after, StringComparison.Ordinal);
        Assert.Contains("%n2 = \"kv.transfer\"(%n1)", after, StringComparison.Ordinal);
        Assert.Contains("%n3 = \"llm.decode\"(%n2)", after, StringComparison.Ordinal);
        Assert.Contains("output_bytes = 67108864.0 : f64", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Planner_CanDisaggregatePrefillAndDecode()
    {
        // A compute-rich device and a bandwidth-rich one: prefill is compute-bound, decode bandwidth-bound.
        var compute = new DeviceSpec { Name = "ComputeHeavy", Fp32Tflops = 100, Fp16Tflops = 2000, MemoryGB = 80, MemoryBandwidthGBs = 1000, HostLinkGBs = 64, DeviceLinkGBs = 100, PowerW = 700 };
        var bandwidth = new DeviceSpec { Name = "BandwidthHeavy", Fp32Tflops = 20, Fp16Tflops = 200, MemoryGB = 192, MemoryBandwidthGBs = 8000, HostLinkGBs = 64, DeviceLinkGBs = 100, PowerW = 700 };
        var graph = LlmDecomposition.Apply(Agent());
        var plan = new HeftPlanner().Plan(graph, PlanDevice.Of((compute, 1, 1), (bandwidth, 1, 1)), new RooflineCosts(new CostModel()));
        Assert.True(plan.Feasible, plan.Problem?.Message);
        Assert.StartsWith("ComputeHeavy", plan.Nodes[1].Device, StringComparison.Ordinal);
        Assert.StartsWith("BandwidthHeavy", plan.Nodes[3].Device, StringComparison.Ordinal);
    }
}
