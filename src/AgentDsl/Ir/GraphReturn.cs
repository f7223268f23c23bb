namespace AgentDsl.Ir;

/// <summary>One of the flow's <c>return</c> statements: the value it returns and the guards under which it is reached.</summary>
/// <param name="Value">The returned value (a graph input or a node result).</param>
/// <param name="Guards">The conditions under which this return is the one taken; empty for the unconditional one.</param>
public sealed record GraphReturn(ValueRef Value, IReadOnlyList<NodeGuard> Guards);
