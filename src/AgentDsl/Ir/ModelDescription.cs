namespace AgentDsl.Ir;

/// <summary>Description of a model that an operator executes; LLM operators use it to derive FLOPs, bytes and KV-cache size.</summary>
public sealed record ModelDescription
{
    /// <summary>Model name (for example <c>llama-3-8b</c>).</summary>
    public string? Name { get; init; }

    /// <summary>Parameter count.</summary>
    public double Parameters { get; init; }

    /// <summary>Transformer layers.</summary>
    public int Layers { get; init; }

    /// <summary>Hidden size.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; }

    /// <summary>Key/value heads; equals <see cref="Heads"/> without grouped-query attention.</summary>
    public int KvHeads { get; init; }

    /// <summary>Precision of weights and KV cache.</summary>
    public Precision Precision { get; init; }

    /// <summary>Expected prompt tokens.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Expected generated tokens.</summary>
    public int OutputTokens { get; init; }
}
