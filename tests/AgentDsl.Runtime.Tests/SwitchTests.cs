using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>switch in a flow: case tests guard each section; the runtime runs what the C# flow runs.</summary>
public class SwitchTests
{
    [Theory]
    [InlineData("what time is it?")]
    [InlineData("this is bad")]
    [InlineData("nice weather")]
    public async Task Switch_WithReassignmentsAndDefault_MatchesTheFlow(string text)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<SwitchGraph>());
        var graph = host.Services.GetRequiredService<SwitchGraph>();
        var direct = new SwitchGraph();

        var result = await host.Runner<SwitchGraph>().RunAsync(text);

        Assert.Equal(direct.Route(text), result.Output);
        Assert.Equal(direct.Log.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("up", "abc", "ABC")]
    [InlineData("rev", "abc", "cba")]
    [InlineData("other", "abc", "abc")]
    public async Task Switch_WhereEverySectionReturns_ReturnsTheTakenSection(string command, string arg, string expected)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ReturningSwitchGraph>());

        var result = await host.Runner<ReturningSwitchGraph>().RunAsync(command, arg);

        Assert.Equal(expected, result.Output);
        Assert.Equal(expected, new ReturningSwitchGraph().Run(command, arg));
        Assert.Equal(2, result.SkippedNodes.Count);
    }

    [Fact]
    public void Definition_HasACaseTestPerLabel_GuardingItsSection()
    {
        var def = SwitchGraph.Definition;
        var question = def.GetNode("case Intent.Question");
        var complaint = def.GetNode("case Intent.Complaint");
        Assert.Equal("bool", question.ResultType);
        Assert.Equal("0", question.Inputs[1].ConstantText); // Intent.Question, by value

        Assert.Equal([new NodeGuard(question.Id, true)], def.GetNode("Answer").Guards);
        Assert.Equal([new NodeGuard(question.Id, false), new NodeGuard(complaint.Id, true)], def.GetNode("Apologize").Guards);
        Assert.Single(def.Nodes, n => n.Merge);
        Assert.Equal(SwitchGraph.Mlir, def.ToMlir());
    }

    [Theory]
    [InlineData(0, 0, "s0+00")]
    [InlineData(0, 1, "s0+0x")]
    [InlineData(1, 0, "s1+x")]
    public async Task SwitchInsideASwitchSection_IsLowered_AndMatchesTheFlow(int a, int b, string expected)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<NestedSwitchGraph>());
        var graph = host.Services.GetRequiredService<NestedSwitchGraph>();
        var direct = new NestedSwitchGraph();

        var result = await host.Runner<NestedSwitchGraph>().RunAsync(a, b);

        Assert.Equal(expected, direct.Run(a, b));
        Assert.Equal(expected, result.Output);
        Assert.Equal(direct.Log.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
    }
}
