using System.Text;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// Writes a Llama-architecture model with seeded random weights as a GGUF v3 file that llama.cpp
/// (and so LLamaSharp) loads and runs: F16 matrices, F32 norm weights, and a byte-level
/// SentencePiece vocabulary (<c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and the 256 byte tokens
/// <c>&lt;0x00&gt;</c>…<c>&lt;0xFF&gt;</c>), which is enough for llama.cpp's tokenizer to encode any text.
/// </summary>
/// <remarks>
/// <para>
/// The weights are random, so <b>the text such a model generates is noise</b>. Its compute, memory
/// traffic and KV cache are those of a real model of the same shape, which is what placement,
/// prefill/decode splitting and KV transfer are about. Tests and samples use it so that nothing has
/// to be downloaded; users bring their own GGUF files for real output.
/// </para>
/// <para>
/// The output is a pure function of the shape and the seed: the same arguments give the same bytes
/// on every machine (the generator is SplitMix64, not <see cref="Random"/>). Weights are uniform in
/// ±2⁻⁴ (smaller for wide inputs) so that activations stay finite; norm weights are 1.
/// </para>
/// </remarks>
public static class SeededLlamaModel
{
    /// <summary>Tokens in the vocabulary: 3 special tokens then the 256 byte tokens.</summary>
    public const int VocabularySize = 3 + 256;

    /// <summary>The writer's revision: bumped whenever the bytes written for a shape and seed change (it names cached files).</summary>
    public const int FormatRevision = 1;

    /// <summary>Token id of <c>&lt;unk&gt;</c>.</summary>
    public const int UnknownToken = 0;

    /// <summary>Token id of <c>&lt;s&gt;</c> (beginning of sequence).</summary>
    public const int BeginToken = 1;

    /// <summary>Token id of <c>&lt;/s&gt;</c> (end of sequence).</summary>
    public const int EndToken = 2;

    const int Alignment = 32;
    const uint GgufMagic = 0x46554747; // "GGUF" little-endian
    const uint GgufVersion = 3;

    // GGUF metadata value types and ggml tensor types used here.
    const uint TypeUInt32 = 4, TypeInt32 = 5, TypeFloat32 = 6, TypeBool = 7, TypeString = 8, TypeArray = 9;
    const uint GgmlF32 = 0, GgmlF16 = 1;

    // llama_token_type: unknown 2, control 3, byte 6 (normal 1 is not used: every other token is a byte).
    const int TokenUnknown = 2, TokenControl = 3, TokenByte = 6;

    /// <summary>
    /// Writes the model for <paramref name="shape"/> and <paramref name="seed"/> to <paramref name="path"/>,
    /// replacing any file there. Random weights: the model's output text is noise.
    /// </summary>
    /// <param name="path">The GGUF file to write.</param>
    /// <param name="shape">The model's dimensions, for example <see cref="LlamaShape.Tiny"/>.</param>
    /// <param name="seed">The seed of the weights; the same seed gives the same bytes.</param>
    /// <exception cref="ArgumentException">The shape is not valid (see <see cref="LlamaShape.Validate"/>).</exception>
    public static void Write(string path, LlamaShape shape, int seed)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(shape);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Write(stream, shape, seed);
    }

    /// <summary>
    /// Writes the model for <paramref name="shape"/> and <paramref name="seed"/> to <paramref name="output"/>.
    /// Random weights: the model's output text is noise.
    /// </summary>
    /// <param name="output">A writable stream; it is left open.</param>
    /// <param name="shape">The model's dimensions.</param>
    /// <param name="seed">The seed of the weights; the same seed gives the same bytes.</param>
    /// <exception cref="ArgumentException">The shape is not valid (see <see cref="LlamaShape.Validate"/>).</exception>
    public static void Write(Stream output, LlamaShape shape, int seed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();

        var tensors = Tensors(shape);
        using var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        w.Write(GgufMagic);
        w.Write(GgufVersion);
        w.Write((ulong)tensors.Count);
        WriteMetadata(w, shape, seed, out ulong kvCount, countOnly: true);
        w.Write(kvCount);
        WriteMetadata(w, shape, seed, out _, countOnly: false);

        long offset = 0;
        foreach (var t in tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)t.Dims.Length);
            foreach (long d in t.Dims) w.Write((ulong)d);
            w.Write(t.F16 ? GgmlF16 : GgmlF32);
            w.Write((ulong)offset);
            offset = Align(offset + t.Bytes);
        }
        Pad(w, Align(w.BaseStream.Position) - w.BaseStream.Position);

        var rng = new SplitMix64((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 0x5EED);
        foreach (var t in tensors)
        {
            WriteTensorData(w, t, ref rng);
            Pad(w, Align(t.Bytes) - t.Bytes);
        }
        w.Flush();
    }

    sealed record TensorSpec(string Name, long[] Dims, bool F16, float Amplitude)
    {
        public long Elements => Dims.Aggregate(1L, (a, b) => a * b);
        public long Bytes => Elements * (F16 ? 2 : 4);
    }

    // ggml dimension order is reversed from row-major: ne = [columns (input width), rows (output width)].
    static List<TensorSpec> Tensors(LlamaShape s)
    {
        long kv = (long)s.HeadDim * s.KvHeads;
        var list = new List<TensorSpec>
        {
            Matrix("token_embd.weight", s.Hidden, VocabularySize, s.Hidden),
            Norm("output_norm.weight", s.Hidden),
            Matrix("output.weight", s.Hidden, VocabularySize, s.Hidden),
        };
        for (int i = 0; i < s.Layers; i++)
        {
            string b = $"blk.{i}.";
            list.Add(Norm(b + "attn_norm.weight", s.Hidden));
            list.Add(Matrix(b + "attn_q.weight", s.Hidden, s.Hidden, s.Hidden));
            list.Add(Matrix(b + "attn_k.weight", s.Hidden, kv, s.Hidden));
            list.Add(Matrix(b + "attn_v.weight", s.Hidden, kv, s.Hidden));
            list.Add(Matrix(b + "attn_output.weight", s.Hidden, s.Hidden, s.Hidden));
            list.Add(Norm(b + "ffn_norm.weight", s.Hidden));
            list.Add(Matrix(b + "ffn_gate.weight", s.Hidden, s.FeedForward, s.Hidden));
            list.Add(Matrix(b + "ffn_up.weight", s.Hidden, s.FeedForward, s.Hidden));
            list.Add(Matrix(b + "ffn_down.weight", s.FeedForward, s.Hidden, s.FeedForward));
        }
        return list;

        static TensorSpec Norm(string name, long n) => new(name, [n], F16: false, Amplitude: 0);
        static TensorSpec Matrix(string name, long cols, long rows, long fanIn) =>
            new(name, [cols, rows], F16: true, Amplitude: (float)Math.Min(1.0 / 16, 2.0 / Math.Sqrt(fanIn)));
    }

    static void WriteTensorData(BinaryWriter w, TensorSpec t, ref SplitMix64 rng)
    {
        if (!t.F16)
        {
            for (long i = 0; i < t.Elements; i++) w.Write(1.0f); // norm weights: identity scale
            return;
        }
        Span<byte> buffer = stackalloc byte[4096];
        long left = t.Elements;
        while (left > 0)
        {
            int n = (int)Math.Min(left, buffer.Length / 2);
            for (int i = 0; i < n; i++)
            {
                float v = (float)((rng.NextDouble() * 2 - 1) * t.Amplitude);
                BitConverter.TryWriteBytes(buffer.Slice(2 * i, 2), BitConverter.HalfToUInt16Bits((Half)v));
            }
            w.Write(buffer[..(2 * n)]);
            left -= n;
        }
    }

    static void WriteMetadata(BinaryWriter w, LlamaShape s, int seed, out ulong count, bool countOnly)
    {
        ulong n = 0;
        void Key(string key, uint type) { n++; if (!countOnly) { WriteString(w, key); w.Write(type); } }
        void U32(string key, uint v) { Key(key, TypeUInt32); if (!countOnly) w.Write(v); }
        void F32(string key, float v) { Key(key, TypeFloat32); if (!countOnly) w.Write(v); }
        void Str(string key, string v) { Key(key, TypeString); if (!countOnly) WriteString(w, v); }
        void Bool(string key, bool v) { Key(key, TypeBool); if (!countOnly) w.Write(v); }

        Str("general.architecture", "llama");
        Str("general.name", $"agentdsl-seeded-{s.Hidden}x{s.Layers}-seed{seed}");
        U32("general.alignment", Alignment);
        U32("general.file_type", 1); // mostly F16
        U32("llama.context_length", (uint)s.ContextLength);
        U32("llama.embedding_length", (uint)s.Hidden);
        U32("llama.block_count", (uint)s.Layers);
        U32("llama.feed_forward_length", (uint)s.FeedForward);
        U32("llama.attention.head_count", (uint)s.Heads);
        U32("llama.attention.head_count_kv", (uint)s.KvHeads);
        U32("llama.rope.dimension_count", (uint)s.HeadDim);
        F32("llama.rope.freq_base", 10000f);
        F32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        U32("llama.vocab_size", VocabularySize);
        Str("tokenizer.ggml.model", "llama");

        Key("tokenizer.ggml.tokens", TypeArray);
        if (!countOnly)
        {
            w.Write(TypeString);
            w.Write((ulong)VocabularySize);
            WriteString(w, "<unk>");
            WriteString(w, "<s>");
            WriteString(w, "</s>");
            for (int b = 0; b < 256; b++) WriteString(w, $"<0x{b:X2}>");
        }
        Key("tokenizer.ggml.scores", TypeArray);
        if (!countOnly)
        {
            w.Write(TypeFloat32);
            w.Write((ulong)VocabularySize);
            for (int i = 0; i < VocabularySize; i++) w.Write(0f);
        }
        Key("tokenizer.ggml.token_type", TypeArray);
        if (!countOnly)
        {
            w.Write(TypeInt32);
            w.Write((ulong)VocabularySize);
            w.Write(TokenUnknown);
            w.Write(TokenControl);
            w.Write(TokenControl);
            for (int b = 0; b < 256; b++) w.Write(TokenByte);
        }
        U32("tokenizer.ggml.unknown_token_id", UnknownToken);
        U32("tokenizer.ggml.bos_token_id", BeginToken);
        U32("tokenizer.ggml.eos_token_id", EndToken);
        Bool("tokenizer.ggml.add_bos_token", true);
        Bool("tokenizer.ggml.add_eos_token", false);
        count = n;
    }

    static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    static long Align(long x) => (x + Alignment - 1) / Alignment * Alignment;

    static void Pad(BinaryWriter w, long n)
    {
        for (long i = 0; i < n; i++) w.Write((byte)0);
    }

    /// <summary>SplitMix64: a small generator whose output is fixed by its definition, unlike <see cref="Random"/>.</summary>
    struct SplitMix64(ulong state)
    {
        ulong _state = state;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    }
}
