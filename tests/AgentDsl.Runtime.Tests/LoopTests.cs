using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>Bounded loops and reassigned locals: the runtime runs what the C# flow runs, within the declared bound.</summary>
public class LoopTests
{
    [Theory]
    [InlineData("0 task", "done:0 task", 0)]
    [InlineData("1 task", "done:1 task+", 1)]
    [InlineData("3 task", "done:3 task+++", 3)]
    [InlineData("2 task", "done:2 task++", 2)]
    public async Task ToolLoop_WithinTheBound_MatchesTheFlow(string task, string expected, int revisions)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ToolLoopGraph>());
        var graph = host.Services.GetRequiredService<ToolLoopGraph>();
        var direct = new ToolLoopGraph();

        var result = await host.Runner<ToolLoopGraph>().RunAsync(task);
        var directOutput = await direct.Solve(task, CancellationToken.None);

        Assert.Equal(expected, directOutput);
        Assert.Equal(directOutput, result.Output);
        Assert.Equal(direct.Log.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
        Assert.Equal(revisions, graph.Log.Count(l => l == "Revise"));
    }

    [Fact]
    public async Task ToolLoop_StopsAtMaxIterations()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ToolLoopGraph>());
        var graph = host.Services.GetRequiredService<ToolLoopGraph>();

        // Needs 7 revisions; the flow declares MaxIterations = 4, so the loop ends after 4 and the flow goes on
        // (the condition is not tested a fifth time).
        var result = await host.Runner<ToolLoopGraph>().RunAsync("7 task");

        Assert.Equal("done:7 task++++", result.Output);
        Assert.Equal(4, graph.Log.Count(l => l == "Revise"));
        Assert.Equal(4, graph.Log.Count(l => l == "IsGood"));
    }

    [Theory]
    [InlineData("short")]         // no x: attempt 0 accepted
    [InlineData("  axb  ")]       // one x: attempt 1
    [InlineData("xx")]            // attempt 2
    [InlineData("xxx")]           // attempt 3, the last
    [InlineData("xxxxx")]         // never accepted: the last attempt's answer
    [InlineData("a long text with x")] // shortened first (to 8 chars, one x)
    public async Task ForLoopWithBreak_AndIfReassignment_MatchTheFlow(string q)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<RetryGraph>());
        var graph = host.Services.GetRequiredService<RetryGraph>();
        var direct = new RetryGraph();

        var result = await host.Runner<RetryGraph>().RunAsync(q);

        Assert.Equal(direct.Run(q), result.Output);
        Assert.Equal(direct.Log.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Definition_UnrollsTheLoop_WithGuardsAndMerges()
    {
        var def = ToolLoopGraph.Definition;
        Assert.Equal(4, def.Nodes.Count(n => n.Operator == "IsGood"));
        Assert.Equal(4, def.Nodes.Count(n => n.Operator == "Revise"));

        // Iteration k runs under the k conditions before it; the last Revise under all four.
        var lastRevise = def.Nodes.Last(n => n.Operator == "Revise");
        Assert.Equal(4, lastRevise.Guards.Count);
        Assert.All(lastRevise.Guards, g => Assert.False(g.When));
        Assert.All(lastRevise.Guards, g => Assert.Equal(0.5, g.Probability));

        // Finish reads the merge of the draft's five versions (the first draft and four revisions), latest first.
        var merge = Assert.Single(def.Nodes, n => n.Merge);
        Assert.Equal(5, merge.Inputs.Count);
        Assert.Equal(ValueRef.Node(lastRevise.Id), merge.Inputs[0].Value);
        Assert.Equal(ValueRef.Node(def.GetNode("Draft").Id), merge.Inputs[^1].Value);
        Assert.Equal(ValueRef.Node(merge.Id), def.GetNode("Finish").Inputs[0].Value);

        // Each copy records its loop, iteration and bound; nodes outside the loop have none.
        Assert.Equal([0, 1, 2, 3], def.Nodes.Where(n => n.Operator == "Revise").Select(n => n.Loop!.Iteration));
        Assert.All(def.Nodes.Where(n => n.Operator == "IsGood"), n => Assert.Equal(new LoopIteration(0, n.Loop!.Iteration, 4), n.Loop));
        Assert.Null(def.GetNode("Draft").Loop);
        Assert.Null(merge.Loop);
        Assert.Contains("loop = {id = 0 : i64, iteration = 3 : i64, bound = 4 : i64}", ToolLoopGraph.Mlir, StringComparison.Ordinal);
        Assert.Contains("iteration 4 of ≤ 4", def.ToDot(), StringComparison.Ordinal);
        Assert.Equal(def.GetNode("Revise#4").Loop, GraphImport.FromJson(def.ToJson()).GetNode("Revise#4").Loop);

        // The counter is a constant in each copy of a for loop's body.
        Assert.Equal(["0", "1", "2", "3"], RetryGraph.Definition.Nodes.Where(n => n.Operator == "Attempt").Select(n => n.Inputs[1].ConstantText!));

        var back = GraphImport.FromJson(def.ToJson(), "loop.json");
        Assert.True(back.GetNode(merge.Name).Merge);
        Assert.Equal(ToolLoopGraph.Mlir, def.ToMlir());
        Assert.Contains("\"agent.merge\"", ToolLoopGraph.Mlir, StringComparison.Ordinal);
    }
}
