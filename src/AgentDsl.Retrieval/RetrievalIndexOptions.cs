using Microsoft.Extensions.Logging;

namespace AgentDsl.Retrieval;

/// <summary>How <see cref="RetrievalIndex.BuildAsync(IReadOnlyList{CorpusChunk}, AgentDsl.Onnx.MiniLmEmbedder, AgentDsl.Kernels.IKernelDevice?, RetrievalIndexOptions?, CancellationToken)"/> embeds and caches.</summary>
public sealed class RetrievalIndexOptions
{
    /// <summary>Texts per embedding call (the embedder's batch form); default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Where the vectors are cached; null (the default) for <see cref="EmbeddingCache.DefaultDirectory"/>, empty to disable.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// The model id in the cache key; null (the default) for <see cref="RetrievalIndex.DefaultModelId"/>. Change it when
    /// the embedder's model changes, so old vectors are not reused.
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>Logs cache hits, misses and invalid files; null for none.</summary>
    public ILogger? Logger { get; set; }
}
