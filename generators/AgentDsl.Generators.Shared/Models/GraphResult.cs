using AgentDsl.Generators.Helpers;

namespace AgentDsl.Generators.Models
{
    /// <summary>The transform's result: the spec (null when the class cannot be generated) and the diagnostics found while lowering.</summary>
    /// <remarks><see cref="Findings"/> are graph warnings (unused results, unreachable operators) that the analyzers report; the generator ignores them.</remarks>
    internal sealed record GraphResult(GraphSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics)
    {
        public EquatableArray<DiagnosticInfo> Findings { get; init; }
    }
}
