using AgentDsl.Ir;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning;

/// <summary>Token counts and batch for lowering LLM operators that do not state them.</summary>
public sealed record DecompositionOptions
{
    /// <summary>Prompt tokens when the operator does not say. Default 512, the analyzers' too (docs/planning.md, "Cost model").</summary>
    public int DefaultPromptTokens { get; init; } = Shared.CostMath.DefaultPromptTokens;

    /// <summary>Generated tokens when the operator does not say. Default 128, the analyzers' too (docs/planning.md, "Cost model").</summary>
    public int DefaultOutputTokens { get; init; } = Shared.CostMath.DefaultOutputTokens;

    /// <summary>Requests per batch. Default 1.</summary>
    public int Batch { get; init; } = 1;
}
