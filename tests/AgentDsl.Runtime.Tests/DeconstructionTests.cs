using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary><c>var (a, b) = Op(x);</c> in a flow: each element is a node result that reads the operator's tuple.</summary>
public class DeconstructionTests
{
    [Theory]
    [InlineData("alpha beta gamma delta")]
    [InlineData("single")]
    public async Task Deconstruction_GivesWhatTheFlowGives(string text)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<TupleGraph>());

        var result = await host.Runner<TupleGraph>().RunAsync(text);

        Assert.Equal(await new TupleGraph().Run(text, CancellationToken.None), result.Output);
    }

    [Fact]
    public void Definition_HasANodePerDeclaredElement_ReadingTheTuple()
    {
        var def = TupleGraph.Definition;
        var split = def.GetNode("Split");
        var head = def.GetNode("Split.head");
        Assert.Equal("Item1", head.Operator);
        Assert.Equal(split.Id, head.Inputs[0].Value.Index);
        Assert.Equal("Item3", def.GetNode("Measure.last").Operator);
        Assert.DoesNotContain(def.Nodes, n => n.Name.StartsWith("Measure._", StringComparison.Ordinal));
        Assert.Equal(TupleGraph.Mlir, def.ToMlir());
    }
}
