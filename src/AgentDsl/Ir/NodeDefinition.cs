namespace AgentDsl.Ir;

/// <summary>A node of a graph: one call of an operator.</summary>
/// <param name="Id">Dense id, 0-based, in flow order.</param>
/// <param name="Name">Unique name in the graph (the operator name, suffixed <c>#2</c>, <c>#3</c>… on repeated calls).</param>
/// <param name="Operator">The operator method's name.</param>
/// <param name="Kind">The operator's task type.</param>
/// <param name="ResultType">The C# type of the result, or <c>void</c>.</param>
/// <param name="IsAsync">Whether the operator returns a task.</param>
/// <param name="Inputs">The operator's arguments in parameter order.</param>
public sealed record NodeDefinition(
    int Id,
    string Name,
    string Operator,
    OperatorKind Kind,
    string ResultType,
    bool IsAsync,
    IReadOnlyList<NodeInput> Inputs)
{
    /// <summary>Cost hints from the operator's attribute.</summary>
    public CostHints Cost { get; init; } = CostHints.None;

    /// <summary>Where the call sits in the flow, when known.</summary>
    public SourceSpan? Source { get; init; }

    /// <summary>The LLM phase this node stands for after decomposition; <see cref="NodePhase.None"/> otherwise.</summary>
    public NodePhase Phase { get; init; }

    /// <summary>Bytes of the node's result (what a consumer on another device must receive); 0 when unknown.</summary>
    public double OutputBytes { get; init; }

    /// <summary>The conditions the node runs under (one per enclosing <c>if</c> of the flow); empty when it always runs.</summary>
    public IReadOnlyList<NodeGuard> Guards { get; init; } = [];

    /// <summary>
    /// For a fan-out node (<c>await Task.WhenAll(items.Select(x =&gt; Op(x)))</c> or <c>items.Select(x =&gt; Op(x)).ToArray()</c>
    /// in a flow): the collection whose elements the operator is called on, concurrently; the input bound to
    /// <see cref="ValueRef.Element"/> receives each element, and the node's result is the array of the calls' results,
    /// in the collection's order (the fan-in). <see langword="null"/> for a node that calls its operator once.
    /// </summary>
    public ValueRef? FanOut { get; init; }

    /// <summary>
    /// For a node that calls another graph's flow (a nested agent, <see cref="OperatorKind.Agent"/>): that graph's definition;
    /// the node's inputs are its inputs, in order, and its result is the nested flow's result. <see langword="null"/> otherwise.
    /// </summary>
    public GraphDefinition? Subgraph { get; init; }

    /// <summary>
    /// Whether this is a merge node (MLIR <c>agent.merge</c>): the value of a flow local reassigned in an <c>if</c> arm or a
    /// loop. Its inputs are the local's versions, latest first; the runtime takes the first whose node ran (was not
    /// skipped), without running an operator. Merge nodes have no cost.
    /// </summary>
    public bool Merge { get; init; }

    /// <summary>For a node in a copy of an unrolled loop's body: which loop, which iteration, and the loop's bound.</summary>
    public LoopIteration? Loop { get; init; }

    /// <summary>Whether the node runs under a condition.</summary>
    public bool IsConditional => Guards.Count > 0;

    /// <summary>Whether the node produces a value.</summary>
    public bool HasResult => ResultType != "void";

    /// <summary>A short description naming the node, its operator and its place in source, for errors and logs.</summary>
    public string Describe() => Source is null
        ? $"node '{Name}' (operator {Operator})"
        : $"node '{Name}' (operator {Operator}) at {Source}";
}
