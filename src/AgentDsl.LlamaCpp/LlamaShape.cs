namespace AgentDsl.LlamaCpp;

/// <summary>
/// The shape of a Llama-architecture model written by <see cref="SeededLlamaModel"/>: embedding width,
/// layers, attention heads, key/value heads (grouped-query attention when fewer than
/// <see cref="Heads"/>), feed-forward width and the context length written into the file.
/// </summary>
/// <param name="Hidden">Embedding width (<c>llama.embedding_length</c>); a multiple of <see cref="Heads"/>.</param>
/// <param name="Layers">Transformer blocks (<c>llama.block_count</c>).</param>
/// <param name="Heads">Attention heads (<c>llama.attention.head_count</c>).</param>
/// <param name="KvHeads">Key/value heads (<c>llama.attention.head_count_kv</c>); divides <see cref="Heads"/>.</param>
/// <param name="FeedForward">Feed-forward width (<c>llama.feed_forward_length</c>).</param>
/// <param name="ContextLength">Training context length written into the file (<c>llama.context_length</c>).</param>
public sealed record LlamaShape(int Hidden, int Layers, int Heads, int KvHeads, int FeedForward, int ContextLength = 2048)
{
    /// <summary>Hidden 128, 2 layers, 4 heads, 2 KV heads, feed-forward 256: about 0.2M parameters, for tests.</summary>
    public static LlamaShape Tiny { get; } = new(Hidden: 128, Layers: 2, Heads: 4, KvHeads: 2, FeedForward: 256);

    /// <summary>
    /// Hidden 1024, 8 layers, 16 heads, 4 KV heads, feed-forward 3072: about 97M parameters
    /// (≈ 194 MB in F16), a model whose prefill and decode costs are those of a small real LLM.
    /// </summary>
    public static LlamaShape Small97M { get; } = new(Hidden: 1024, Layers: 8, Heads: 16, KvHeads: 4, FeedForward: 3072);

    /// <summary>Width of one attention head: <see cref="Hidden"/> / <see cref="Heads"/>.</summary>
    public int HeadDim => Hidden / Heads;

    /// <summary>The vocabulary size of every seeded model: 3 special tokens and 256 byte tokens.</summary>
    public int VocabularySize => SeededLlamaModel.VocabularySize;

    /// <summary>Number of weights in the model, norms included.</summary>
    public long ParameterCount
    {
        get
        {
            long kvWidth = (long)HeadDim * KvHeads;
            long perLayer = 2L * Hidden                        // attention and feed-forward norms
                + 2L * Hidden * Hidden + 2L * Hidden * kvWidth // q, output; k, v
                + 3L * Hidden * FeedForward;                   // gate, up, down
            return Layers * perLayer + 2L * VocabularySize * Hidden + Hidden;
        }
    }

    /// <summary>
    /// Bytes of KV cache per token with F16 keys and values:
    /// 2 (K and V) · <see cref="Layers"/> · <see cref="KvHeads"/> · <see cref="HeadDim"/> · 2 bytes.
    /// </summary>
    public long KvBytesPerToken => 2L * Layers * KvHeads * HeadDim * 2;

    /// <summary>Throws when the shape cannot describe a valid model.</summary>
    /// <exception cref="ArgumentException">A dimension is not positive, or the heads do not divide evenly.</exception>
    public void Validate()
    {
        if (Hidden <= 0 || Layers <= 0 || Heads <= 0 || KvHeads <= 0 || FeedForward <= 0 || ContextLength <= 0)
            throw new ArgumentException($"Every dimension of the shape must be positive: {this}.");
        if (Hidden % Heads != 0)
            throw new ArgumentException($"Hidden ({Hidden}) must be a multiple of Heads ({Heads}).");
        if (Heads % KvHeads != 0)
            throw new ArgumentException($"KvHeads ({KvHeads}) must divide Heads ({Heads}).");
    }
}
