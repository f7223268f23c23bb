using AgentDsl.Generators.Helpers;

namespace AgentDsl.Generators.Models
{
    /// <summary>
    /// The batch form of a batchable operator: an overload of the same name taking IReadOnlyList of its input.
    /// <see cref="Shape"/> is how the overload returns (Value, TaskOfT or ValueTaskOfT of T[] or IReadOnlyList of T).
    /// </summary>
    internal sealed record BatchFormSpec(string Operator, string MethodName, bool IsStatic, string InputTypeFq, string ResultTypeFq, ReturnShape Shape, bool TakesCancellationToken);

    /// <summary>One containing type of a graph class, outermost first, as needed to reopen it as partial.</summary>
    internal sealed record ContainingTypeSpec(string Keyword, string Name);

    /// <summary>Everything the emitter needs for one [AgentGraph] class. Value-equatable: no symbols, no syntax.</summary>
    internal sealed record GraphSpec(
        string? Namespace,
        EquatableArray<ContainingTypeSpec> ContainingTypes,
        string ClassName,
        string ClassKeyword,
        string FullyQualifiedName,
        string DisplayName,
        string HintName,
        string? ExtensionAccessibility,
        string GraphName,
        string FlowName,
        double SlaMs,
        double Percentile,
        EquatableArray<InputSpec> Inputs,
        EquatableArray<NodeSpec> Nodes,
        ArgSpec? Output,
        string OutputTypeDisplay,
        string? OutputTypeFq)
    {
        /// <summary>Two or more conditional returns (then <see cref="Output"/> is null); empty otherwise.</summary>
        public EquatableArray<ReturnSpec> Returns { get; init; } = EquatableArray<ReturnSpec>.Empty;

        /// <summary>Batch forms of batchable operators the flow calls; empty for most graphs.</summary>
        public EquatableArray<BatchFormSpec> BatchForms { get; init; } = EquatableArray<BatchFormSpec>.Empty;

        /// <summary>
        /// The flow's lowering errors as "ADSL0002: message" (no locations, so moving code does not regenerate); empty for
        /// a flow that lowered. A graph with errors is emitted as members that throw naming them: the user's other code
        /// (<c>AddGraph&lt;T&gt;()</c>, <c>runner.RunAsync(...)</c>) still compiles, and the errors come from the analyzer.
        /// </summary>
        public EquatableArray<string> Errors { get; init; } = EquatableArray<string>.Empty;
    }
}
