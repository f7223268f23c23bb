using AgentDsl.Ir;
using AgentDsl.Planning.Placement;

namespace AgentDsl.Testing;

/// <summary>Graphs whose dependencies are not all inputs (also compiled into AgentDsl.Planning.OrTools.Tests).</summary>
public static class TopologyGraphs
{
    /// <summary>
    /// Issue 13's graph: <c>Split</c> (1 s) feeds a fan-out <c>Answer</c> (2 s) and <c>IsSafe</c> (0.5 s) guards
    /// <c>Refuse</c> (0.25 s). Neither <c>Answer</c> nor <c>Refuse</c> takes a node result as an input: one waits for its
    /// fan-out source, the other for its guard.
    /// </summary>
    public static GraphDefinition SplitAnswerGuard() =>
        new("branchy", "Branchy", "Run", new SlaSpec(0, 0.99), [new GraphInput(0, "q", "string")],
        [
            new NodeDefinition(0, "Split", "Split", OperatorKind.Compute, "string[]", false, [new NodeInput("q", "string", ValueRef.Input(0))]),
            new NodeDefinition(1, "IsSafe", "IsSafe", OperatorKind.Compute, "bool", false, [new NodeInput("q", "string", ValueRef.Input(0))]),
            new NodeDefinition(2, "Answer", "Answer", OperatorKind.Compute, "string[]", false, [new NodeInput("part", "string", ValueRef.Element)]) { FanOut = ValueRef.Node(0) },
            new NodeDefinition(3, "Refuse", "Refuse", OperatorKind.Compute, "string", false, [new NodeInput("q", "string", ValueRef.Input(0))]) { Guards = [new NodeGuard(1, When: false)] },
        ], ValueRef.Node(2), "string[]");

    /// <summary>The node times of <see cref="SplitAnswerGuard"/> on a device type <c>D</c>, price 0.</summary>
    public static TableCosts Costs() => new TableCosts()
        .Node("Split", "D", 1, 0).Node("IsSafe", "D", 0.5, 0).Node("Answer", "D", 2, 0).Node("Refuse", "D", 0.25, 0);
}
