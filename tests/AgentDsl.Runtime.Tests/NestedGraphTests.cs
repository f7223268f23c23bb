using AgentDsl.Execution;
using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>A flow that calls another graph's flow: one node that runs the nested graph through its own runner.</summary>
public class NestedGraphTests
{
    [Fact]
    public async Task NestedGraph_RunsThroughItsRunner_AndReturnsWhatTheFlowReturns()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<SummarizerGraph>().AddGraph<ResearchGraph>());
        var summarizer = host.Services.GetRequiredService<SummarizerGraph>();

        var result = await host.Runner<ResearchGraph>().RunAsync("why is the sky blue");
        var direct = await new ResearchGraph(new SummarizerGraph()).Research("why is the sky blue", CancellationToken.None);

        Assert.Equal(direct, result.Output);
        Assert.Equal("found: why is [why is the sky blue]", result.Output);

        // The nested graph's own operators ran, once each, on the registered instance.
        Assert.Equal(["Clean", "Shorten"], summarizer.Log.ToArray());
        Assert.Contains(result.Nodes, n => n.Name == "SummarizerGraph");
    }

    [Fact]
    public async Task NestedFailure_FailsTheOuterRequest_NamingBothNodes()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<SummarizerGraph>().AddGraph<ResearchGraph>());

        var error = await Assert.ThrowsAsync<AgentNodeException>(() => host.Runner<ResearchGraph>().RunAsync("fail"));

        // Outer node, then the nested graph's node, then the operator's own exception.
        Assert.Equal("SummarizerGraph", error.Node.Name);
        var inner = Assert.IsType<AgentNodeException>(error.InnerException);
        Assert.Equal("Shorten", inner.Node.Name);
        Assert.Equal("cannot summarize a failure", inner.InnerException!.Message);
    }

    [Fact]
    public async Task UnregisteredNestedGraph_FailsWithAClearReason()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ResearchGraph>().Services.AddSingleton<SummarizerGraph>());

        var error = await Assert.ThrowsAsync<AgentNodeException>(() => host.Runner<ResearchGraph>().RunAsync("q"));

        Assert.Equal("SummarizerGraph", error.Node.Name);
        Assert.Contains("AddGraph<SummarizerGraph>()", error.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Definition_HoldsTheSubgraph_InTheIrAndExports()
    {
        var def = ResearchGraph.Definition;
        var call = def.GetNode("SummarizerGraph");

        Assert.Equal(OperatorKind.Agent, call.Kind);
        Assert.Same(SummarizerGraph.Definition, call.Subgraph);
        Assert.Equal("string", call.ResultType);

        var back = GraphImport.FromJson(def.ToJson(), "research.json");
        Assert.Equal(SummarizerGraph.Definition.ToJson(), back.GetNode("SummarizerGraph").Subgraph!.ToJson());
        Assert.Equal(def.ToMlir(), back.ToMlir());
        Assert.Equal(ResearchGraph.Mlir, def.ToMlir());
        Assert.Contains("\"agent.call\"", ResearchGraph.Mlir, StringComparison.Ordinal);
        Assert.Contains("subgraph = \"AgentDsl.Runtime.Tests.TestGraphs.SummarizerGraph\"", ResearchGraph.Mlir, StringComparison.Ordinal);
        Assert.Contains("cluster_node1", def.ToDot(), StringComparison.Ordinal);
    }
}
