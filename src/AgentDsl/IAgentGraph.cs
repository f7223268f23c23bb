using AgentDsl.Generated;
using AgentDsl.Ir;

namespace AgentDsl;

/// <summary>
/// Implemented by the source generator for every <see cref="AgentGraphAttribute"/> class: the graph's
/// definition, its MLIR text, and an invoker that calls each operator directly by node id.
/// The runtime uses these members only; it never discovers operators by reflection.
/// </summary>
/// <typeparam name="TSelf">The graph class.</typeparam>
public interface IAgentGraph<TSelf>
    where TSelf : class, IAgentGraph<TSelf>
{
    /// <summary>The graph IR extracted from the flow at compile time.</summary>
    static abstract GraphDefinition Definition { get; }

    /// <summary>The graph in MLIR generic syntax (<c>agent</c> dialect), computed at compile time.</summary>
    static abstract string Mlir { get; }

    /// <summary>
    /// Runs node <paramref name="nodeId"/> on <paramref name="graph"/>: reads its arguments from
    /// <paramref name="values"/>, calls the operator, and stores the result back in <paramref name="values"/>.
    /// </summary>
    /// <param name="graph">The graph instance whose operator to call.</param>
    /// <param name="nodeId">The node id.</param>
    /// <param name="values">The request's values.</param>
    /// <param name="cancellationToken">Passed to operators that take a <see cref="CancellationToken"/>.</param>
    /// <returns>A task that completes when the operator has finished.</returns>
    static abstract ValueTask InvokeNodeAsync(TSelf graph, int nodeId, NodeValues values, CancellationToken cancellationToken);

    /// <summary>
    /// The batch forms the generator found: for an operator declared <c>[Operator(Batchable = true)]</c> with one input,
    /// an overload of the same name taking <see cref="IReadOnlyList{T}"/> of that input (and optionally a
    /// <see cref="CancellationToken"/>) and returning one result per input (<c>T[]</c> or <c>IReadOnlyList&lt;T&gt;</c>,
    /// possibly in a <c>Task</c> or <c>ValueTask</c>). The runtime micro-batches those operators with it. Empty by default.
    /// </summary>
    static virtual IReadOnlyList<OperatorBatchForm> BatchForms => [];
}
