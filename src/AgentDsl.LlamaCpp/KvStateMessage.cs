using System.Text;
using LLama;
using LLama.Native;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// The runtime's own message for moving one sequence's KV cache between llama.cpp contexts — in one
/// process now, across processes or machines later. It is llama.cpp's per-sequence state
/// (<c>llama_state_seq_get_data</c>) behind a header that says what the bytes are.
/// </summary>
/// <remarks>
/// <para>Wire format (little-endian), see docs/runtime.md:</para>
/// <list type="number">
/// <item><description>magic <c>"ADKV"</c> (4 bytes);</description></item>
/// <item><description>format version, <see cref="FormatVersion"/> (u16);</description></item>
/// <item><description>model identity: SHA-256 of the GGUF file (32 bytes);</description></item>
/// <item><description>engine version: u16 byte length + UTF-8 (for example <c>LLamaSharp 0.30.0</c>);</description></item>
/// <item><description>token count: the tokens in the cache (i32);</description></item>
/// <item><description>first generated token (i32): the blob holds neither logits nor the sampled token;</description></item>
/// <item><description>blob length (i64), then the blob.</description></item>
/// </list>
/// <para>
/// The traps it guards against: llama.cpp's <c>SetState</c> returns 0 instead of throwing on a bad blob;
/// the blob has no model identity, so a blob from another model of the same shape would load silently.
/// <see cref="Import"/> checks both and throws <see cref="KvStateException"/>.
/// </para>
/// </remarks>
/// <param name="Model">The model that produced the state.</param>
/// <param name="EngineVersion">The engine that produced the state (see <see cref="CurrentEngineVersion"/>).</param>
/// <param name="TokenCount">Tokens in the sequence's cache (positions 0 … count − 1).</param>
/// <param name="FirstToken">The token sampled from the last prefill logits, which decode starts from.</param>
/// <param name="State">llama.cpp's per-sequence state bytes.</param>
public sealed record KvStateMessage(ModelIdentity Model, string EngineVersion, int TokenCount, int FirstToken, byte[] State)
{
    /// <summary>The magic bytes that start a message: <c>"ADKV"</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "ADKV"u8;

    /// <summary>The format version this code writes and reads.</summary>
    public const ushort FormatVersion = 1;

    /// <summary>The largest blob <see cref="Read"/> accepts (4 GiB), a guard against corrupt lengths.</summary>
    public const long MaxStateBytes = 4L << 30;

    /// <summary>The engine version written by <see cref="Export"/>: <c>LLamaSharp</c> and its assembly version.</summary>
    public static string CurrentEngineVersion { get; } =
        "LLamaSharp " + (typeof(LLamaContext).Assembly.GetName().Version?.ToString(3) ?? "unknown");

    /// <summary>
    /// The size of llama.cpp's per-sequence state for <paramref name="tokens"/> tokens of a model of
    /// <paramref name="shape"/> with F16 keys and values: the KV data,
    /// 2 · layers · kv_heads · head_dim · tokens · 2 bytes (<see cref="LlamaShape.KvBytesPerToken"/>),
    /// plus the state's framing, 24 + 24 · layers + 12 · tokens bytes (stream and cell counts, per-cell
    /// position and sequence count, per-layer type and row size). Measured with LLamaSharp 0.30.0.
    /// </summary>
    public static long ExpectedStateBytes(LlamaShape shape, int tokens)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.KvBytesPerToken * tokens + 24 + 24L * shape.Layers + 12L * tokens;
    }

    /// <summary>Header bytes before the blob: 4 + 2 + 32 + 2 + engine version + 4 + 4 + 8.</summary>
    public int HeaderLength => 56 + Encoding.UTF8.GetByteCount(EngineVersion);

    /// <summary>Writes the message to <paramref name="output"/> (left open).</summary>
    public void Write(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        byte[] engine = Encoding.UTF8.GetBytes(EngineVersion);
        if (engine.Length > ushort.MaxValue)
            throw new InvalidOperationException($"The engine version is too long ({engine.Length} bytes).");
        using var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Model.Hash);
        w.Write((ushort)engine.Length);
        w.Write(engine);
        w.Write(TokenCount);
        w.Write(FirstToken);
        w.Write((long)State.Length);
        w.Write(State);
    }

    /// <summary>Reads a message written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a message of this format version, or are truncated.</exception>
    public static KvStateMessage Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var r = new BinaryReader(input, Encoding.UTF8, leaveOpen: true);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            r.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic))
                throw new InvalidDataException("Not a KV state message: the magic is not \"ADKV\".");
            ushort version = r.ReadUInt16();
            if (version != FormatVersion)
                throw new InvalidDataException($"KV state message format version {version} is not supported (this code reads version {FormatVersion}).");
            var model = new ModelIdentity(r.ReadBytes(ModelIdentity.Length).AsSpan() is { Length: ModelIdentity.Length } h
                ? h : throw new EndOfStreamException());
            string engine = Encoding.UTF8.GetString(ReadExactly(r, r.ReadUInt16()));
            int tokens = r.ReadInt32();
            int first = r.ReadInt32();
            long length = r.ReadInt64();
            if (length < 0 || length > MaxStateBytes)
                throw new InvalidDataException($"KV state message declares a state of {length} bytes (at most {MaxStateBytes}).");
            return new KvStateMessage(model, engine, tokens, first, ReadExactly(r, (int)length));
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The KV state message is truncated.", e);
        }
    }

    static byte[] ReadExactly(BinaryReader r, int count)
    {
        byte[] bytes = new byte[count];
        r.BaseStream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Exports sequence <paramref name="sequence"/> of <paramref name="context"/> (llama.cpp's
    /// <c>llama_state_seq_get_data</c>) into a message.
    /// </summary>
    /// <param name="context">The context that prefilled the sequence.</param>
    /// <param name="sequence">The sequence to export.</param>
    /// <param name="model">The identity of the context's model (<see cref="ModelIdentity.FromFile"/>).</param>
    /// <param name="tokenCount">Tokens in the sequence's cache.</param>
    /// <param name="firstToken">The token sampled from the last prefill logits.</param>
    /// <exception cref="KvStateException">llama.cpp wrote fewer bytes than it announced.</exception>
    public static unsafe KvStateMessage Export(LLamaContext context, LLamaSeqId sequence, ModelIdentity model, int tokenCount, int firstToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokenCount);
        ulong size = (ulong)context.NativeHandle.GetStateSize(sequence);
        byte[] state = new byte[checked((int)size)];
        ulong written;
        fixed (byte* p = state)
            written = (ulong)context.NativeHandle.GetState(p, (nuint)size, sequence);
        if (written != size)
            throw new KvStateException($"llama.cpp wrote {written} bytes of sequence {sequence.Value}'s state, not the {size} it announced.");
        return new KvStateMessage(model, CurrentEngineVersion, tokenCount, firstToken, state);
    }

    /// <summary>
    /// Loads the state into sequence <paramref name="sequence"/> of <paramref name="context"/>
    /// (llama.cpp's <c>llama_state_seq_set_data</c>) after checking the header: same model, same engine,
    /// a token count that fits the context. Decoding continues at position <see cref="TokenCount"/>
    /// with <see cref="FirstToken"/>.
    /// </summary>
    /// <param name="context">The destination context; it must use the same flash-attention setting and KV types as the source.</param>
    /// <param name="sequence">The destination sequence (chosen here, independent of the source's).</param>
    /// <param name="model">The identity of the destination context's model.</param>
    /// <exception cref="KvStateException">
    /// The message comes from another model or engine, its token count does not fit the context, or
    /// llama.cpp refused the blob (it returns 0 rather than throwing).
    /// </exception>
    public unsafe void Import(LLamaContext context, LLamaSeqId sequence, ModelIdentity model)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Model.Equals(model))
            throw new KvStateException($"The KV state comes from model {Model}, but the destination context runs model {model}: refusing to load it.");
        if (EngineVersion != CurrentEngineVersion)
            throw new KvStateException($"The KV state was written by '{EngineVersion}', but this process runs '{CurrentEngineVersion}': the state format may differ.");
        if (TokenCount <= 0 || TokenCount >= context.ContextSize)
            throw new KvStateException($"The KV state claims {TokenCount} tokens; the destination context holds {context.ContextSize} and needs room to decode.");
        if (State.Length == 0)
            throw new KvStateException("The KV state is empty.");
        ulong read;
        fixed (byte* p = State)
            read = (ulong)context.NativeHandle.SetState(p, (nuint)State.Length, sequence);
        if (read != (ulong)State.Length)
            throw new KvStateException(
                $"llama.cpp refused the KV state of {TokenCount} tokens ({State.Length} bytes; it read {read}): the blob is corrupt, " +
                "or the contexts differ in flash attention or KV types.");
    }
}

/// <summary>A KV state could not be moved into a context; the message says why.</summary>
public sealed class KvStateException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public KvStateException(string message) : base(message) { }
}
