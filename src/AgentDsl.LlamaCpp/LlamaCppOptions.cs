using System.ComponentModel.DataAnnotations;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// The llama.cpp engine (<c>AgentDsl:LlamaCpp</c>): which GGUF model, the contexts that serve it (each a runtime
/// device), and how LLM nodes run on them.
/// </summary>
public sealed class LlamaCppOptions
{
    /// <summary>The configuration section under <c>AgentDsl</c>.</summary>
    public const string SectionName = "LlamaCpp";

    /// <summary>
    /// The GGUF file to serve (a path; relative to the working directory). Null: a seeded random-weight model of
    /// <see cref="SeededShape"/> is written once to <see cref="CacheDirectory"/> and served — its text is noise, its
    /// compute, memory traffic and KV cache are real; every place that shows its output says so.
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>The seeded model's shape when <see cref="ModelPath"/> is null: <c>Small97M</c> (hidden 1024, 8 layers; 194 MB) or <c>Tiny</c> (hidden 128, 2 layers).</summary>
    public string SeededShape { get; set; } = "Small97M";

    /// <summary>The seeded model's seed (its weights, and so its identity hash, follow from shape and seed).</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Where the seeded model is written (default: LocalApplicationData/AgentDsl/models).</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// The model name LLM nodes refer to (<c>[Operator(OperatorKind.Llm, Model = "...")]</c>): only nodes naming it
    /// (case-insensitive) are served. Null: every LLM node from one string to a string is served.
    /// </summary>
    public string? ModelName { get; set; }

    /// <summary>Tokens of KV cache per sequence (prompt plus answer).</summary>
    [Range(16, 1 << 20)]
    public int ContextSize { get; set; } = 1024;

    /// <summary>Most tokens an answer generates (greedy decoding; it also stops at the model's end-of-text token).</summary>
    [Range(1, 1 << 16)]
    public int MaxTokens { get; set; } = 16;

    /// <summary>Flash attention for every context of the engine (the KV layout must match between contexts, so it is one setting).</summary>
    public bool FlashAttention { get; set; }

    /// <summary>Whether prefill may run on another context than decode (<see cref="LlamaSplitPolicy"/>).</summary>
    public LlamaSplitPolicy Split { get; set; } = LlamaSplitPolicy.Auto;

    /// <summary>
    /// The contexts, by name (each becomes the device <c>llama:{name}</c>). Empty: one context <c>main</c> with a
    /// thread per processor.
    /// </summary>
    public Dictionary<string, LlamaContextOptions> Contexts { get; } = new(StringComparer.Ordinal);
}
