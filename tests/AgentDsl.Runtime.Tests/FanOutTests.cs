using AgentDsl.Execution;
using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>Fan-out/fan-in in a flow: one node per mapped operator, one call per element, results in order.</summary>
public class FanOutTests
{
    [Theory]
    [InlineData("the quick brown fox jumps")]
    [InlineData("single")]
    [InlineData("")]
    public async Task FanOut_ReturnsWhatTheFlowReturns(string text)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<FanOutGraph>());
        var graph = host.Services.GetRequiredService<FanOutGraph>();

        var result = await host.Runner<FanOutGraph>().RunAsync(text);
        var direct = await new FanOutGraph().Run(text, CancellationToken.None);

        Assert.Equal(direct, result.Output);
        Assert.Equal(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), graph.Calls.Order(StringComparer.Ordinal));

        // One node per operator call site, whatever the number of elements.
        Assert.Equal(FanOutGraph.Definition.Nodes.Length, result.Nodes.Count);
    }

    [Fact]
    public async Task AsyncFanOut_RunsTheCallsConcurrently()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<FanOutGraph>());
        var graph = host.Services.GetRequiredService<FanOutGraph>();

        await host.Runner<FanOutGraph>().RunAsync("a b c d e f g h");

        Assert.Equal(8, graph.MaxConcurrentSummaries);
    }

    [Fact]
    public async Task AFailingElement_FailsTheRequestNamingTheNode()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<FanOutGraph>());

        var error = await Assert.ThrowsAsync<AgentNodeException>(() => host.Runner<FanOutGraph>().RunAsync("ok fail ok"));

        Assert.Equal("Summarize", error.Node.Name);
        Assert.Contains("cannot summarize 'fail'", error.InnerException!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a b c d")]
    [InlineData("")]
    public async Task ForEachStatements_CallTheOperatorOnEveryElement(string text)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ForEachGraph>());
        var graph = host.Services.GetRequiredService<ForEachGraph>();
        var direct = new ForEachGraph();

        var result = await host.Runner<ForEachGraph>().RunAsync(text);

        Assert.Equal(await direct.Run(text, CancellationToken.None), result.Output);
        Assert.Equal(direct.Stored.Order(StringComparer.Ordinal), graph.Stored.Order(StringComparer.Ordinal));
        Assert.Equal(direct.Counted.Order(StringComparer.Ordinal), graph.Counted.Order(StringComparer.Ordinal));

        var def = ForEachGraph.Definition;
        Assert.Equal("void", def.GetNode("Store").ResultType);
        Assert.Equal(ValueRef.Node(def.GetNode("Words").Id), def.GetNode("Count").FanOut);
        Assert.Equal("int[]", def.GetNode("Length").ResultType);
    }

    [Theory]
    [InlineData("alpha be gamma delta")]
    [InlineData("")]
    public async Task ForEachAddingToAList_CollectsTheResultsInOrder(string text)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<CollectGraph>());

        var result = await host.Runner<CollectGraph>().RunAsync(text);

        Assert.Equal(await new CollectGraph().Run(text, CancellationToken.None), result.Output);
        var def = CollectGraph.Definition;
        Assert.Equal("List<string>", def.GetNode("Summarize").ResultType);
        Assert.Equal(ValueRef.Node(def.GetNode("Summarize").Id), def.GetNode("Join").Inputs[0].Value);
        Assert.Equal(CollectGraph.Mlir, def.ToMlir());
    }

    [Fact]
    public void Definition_RecordsTheFanOut()
    {
        var def = FanOutGraph.Definition;
        var split = def.GetNode("Split");
        var summarize = def.GetNode("Summarize");
        var length = def.GetNode("Length");

        Assert.Equal(ValueRef.Node(split.Id), summarize.FanOut);
        Assert.Equal(ValueRef.Node(split.Id), length.FanOut);
        Assert.Null(def.GetNode("Join").FanOut);
        Assert.Equal("string[]", summarize.ResultType);
        Assert.Equal("int[]", length.ResultType);
        Assert.Equal(ValueRef.Element, summarize.Inputs.Single(i => i.Parameter == "chunk").Value);
        Assert.Contains(summarize.Id, def.DependentsOf(split.Id));
        Assert.Contains(def.Edges, e => e.From == ValueRef.Node(split.Id) && e.To == summarize.Id && e.Parameter == "chunk");

        var back = GraphImport.FromJson(def.ToJson(), "fanout.json");
        Assert.Equal(summarize.FanOut, back.GetNode("Summarize").FanOut);
        Assert.Equal(def.ToMlir(), back.ToMlir());
        Assert.Equal(FanOutGraph.Mlir, def.ToMlir());
        Assert.Contains("fan_out", FanOutGraph.Mlir, StringComparison.Ordinal);
    }
}
