using AgentDsl.Generators.Helpers;

namespace AgentDsl.Generators.Models
{
    /// <summary>The transform's result: the spec (null when the class cannot be generated) and the diagnostics found while lowering.</summary>
    internal sealed record GraphResult(GraphSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
}
