using AgentDsl.Ir;
using Xunit;

namespace AgentDsl.Tests;

public class GraphDefinitionTests
{
    private static NodeDefinition Node(int id, string name, params ValueRef[] inputs) =>
        new(id, name, name, OperatorKind.Compute, "string", false, [.. inputs.Select((v, i) => new NodeInput("p" + i, "string", v))])
        {
            Source = new SourceSpan("Agent.cs", 10 + id, 9),
        };

    private static GraphDefinition Graph(ValueRef? output, params NodeDefinition[] nodes) =>
        new("g", "App.G", "Run", new SlaSpec(100, 0.99), [new GraphInput(0, "x", "string")], nodes, output, output is null ? "void" : "string");

    [Fact]
    public void ComputesEdgesRootsAndDependents()
    {
        var g = Graph(
            ValueRef.Node(3),
            Node(0, "a", ValueRef.Input(0)),
            Node(1, "b", ValueRef.Node(0)),
            Node(2, "c", ValueRef.Node(0), ValueRef.Input(0)),
            Node(3, "d", ValueRef.Node(1), ValueRef.Node(2), ValueRef.Node(1)));

        Assert.Equal([0], g.Roots.ToArray());
        Assert.Equal([1, 2], g.DependentsOf(0).ToArray());
        Assert.Equal([3], g.DependentsOf(1).ToArray());
        Assert.Equal(2, g.DependencyCountOf(3)); // node 1 used twice counts once
        Assert.Equal(7, g.Edges.Length);
        Assert.Contains(new EdgeDefinition(ValueRef.Input(0), 2, "p1", "string"), g.Edges);
    }

    [Fact]
    public void Predecessors_AreInputsFanOutSourceAndGuards_AndTheCriticalPathFollowsThem()
    {
        // Split feeds a fan-out Answer; IsSafe guards Refuse; Join takes both, Split twice.
        var g = new GraphDefinition("g", "App.G", "Run", new SlaSpec(0, 0.99), [new GraphInput(0, "q", "string")],
        [
            new NodeDefinition(0, "Split", "Split", OperatorKind.Compute, "string[]", false, [new NodeInput("q", "string", ValueRef.Input(0))]),
            new NodeDefinition(1, "IsSafe", "IsSafe", OperatorKind.Compute, "bool", false, [new NodeInput("q", "string", ValueRef.Input(0))]),
            new NodeDefinition(2, "Answer", "Answer", OperatorKind.Compute, "string[]", false, [new NodeInput("part", "string", ValueRef.Element)]) { FanOut = ValueRef.Node(0) },
            new NodeDefinition(3, "Refuse", "Refuse", OperatorKind.Compute, "string", false, [new NodeInput("q", "string", ValueRef.Input(0))]) { Guards = [new NodeGuard(1, When: false)] },
            new NodeDefinition(4, "Join", "Join", OperatorKind.Compute, "string", false,
                [new NodeInput("a", "string[]", ValueRef.Node(2)), new NodeInput("s", "string[]", ValueRef.Node(0)), new NodeInput("t", "string[]", ValueRef.Node(0))])
            {
                Guards = [new NodeGuard(1, When: true)],
            },
        ], ValueRef.Node(4), "string");

        Assert.Equal([0, 1], g.Roots.ToArray());
        Assert.Equal([], g.PredecessorsOf(0).ToArray());
        Assert.Equal([0], g.PredecessorsOf(2).ToArray());                 // the fan-out source
        Assert.Equal([1], g.PredecessorsOf(3).ToArray());                 // the guard
        Assert.Equal([2, 0, 1], g.PredecessorsOf(4).ToArray());           // inputs once each, then the guard
        Assert.Equal(3, g.DependencyCountOf(4));
        for (int id = 0; id < g.Nodes.Length; id++)
        {
            foreach (int p in g.PredecessorsOf(id))
            {
                Assert.Contains(id, g.DependentsOf(p));
            }

            Assert.All(g.DependentsOf(id), d => Assert.Contains(id, g.PredecessorsOf(d)));
        }

        Assert.Equal([0, 1, 2, 3, 4], g.TopologicalOrder.ToArray());
        double[] seconds = [1, 0.5, 2, 0.25, 0.1];
        var path = g.CriticalPath(id => seconds[id]);
        Assert.Equal(3.1, path.Seconds, 9);
        Assert.Equal([0, 2, 4], path.Nodes.ToArray());
        var guarded = g.CriticalPath(id => id == 1 ? 5 : seconds[id]);   // a slow guard delays both arms
        Assert.Equal(5.25, guarded.Seconds, 9);
        Assert.Equal([1, 3], guarded.Nodes.ToArray());
    }

    [Fact]
    public void ForwardReference_IsACycle_NamingTheNodeAndItsSource()
    {
        var error = Assert.Throws<GraphDefinitionException>(() => Graph(null, Node(0, "a", ValueRef.Node(1)), Node(1, "b", ValueRef.Node(0))));
        Assert.Contains("node 'a' (operator a) at Agent.cs(10,9)", error.Message, StringComparison.Ordinal);
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateNames_AreRejected() =>
        Assert.Contains("used by another node", Assert.Throws<GraphDefinitionException>(() => Graph(null, Node(0, "a"), Node(1, "a"))).Message, StringComparison.Ordinal);

    [Fact]
    public void IdsOutOfOrder_AreRejected() =>
        Assert.Contains("expected 0", Assert.Throws<GraphDefinitionException>(() => Graph(null, Node(1, "a"))).Message, StringComparison.Ordinal);

    [Fact]
    public void UnknownInput_IsRejected() =>
        Assert.Contains("refers to input 3", Assert.Throws<GraphDefinitionException>(() => Graph(null, Node(0, "a", ValueRef.Input(3)))).Message, StringComparison.Ordinal);

    [Fact]
    public void UsingTheResultOfAVoidNode_IsRejected()
    {
        var v = new NodeDefinition(0, "log", "Log", OperatorKind.Compute, "void", false, []);
        var error = Assert.Throws<GraphDefinitionException>(() => Graph(null, v, Node(1, "b", ValueRef.Node(0))));
        Assert.Contains("returns nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConstantWithoutText_IsRejected()
    {
        var n = new NodeDefinition(0, "a", "A", OperatorKind.Compute, "string", false, [new NodeInput("k", "int", ValueRef.Constant)]);
        Assert.Throws<GraphDefinitionException>(() => Graph(null, n));
    }

    [Fact]
    public void GetNode_NamesTheAlternatives()
    {
        var g = Graph(null, Node(0, "a"));
        Assert.Contains("Nodes: a", Assert.Throws<KeyNotFoundException>(() => g.GetNode("zzz")).Message, StringComparison.Ordinal);
    }
}
