using AgentDsl.Devices;
using AgentDsl.Kernels;
using AgentDsl.Onnx;
using AgentDsl.Retrieval;

namespace RagAgent;

/// <summary>
/// The agent's knowledge: member documentation of the .NET reference pack (on every machine with the SDK), chunked,
/// embedded with MiniLM (batched; cached on disk after the first run) and kept resident on the kernel device — the
/// OpenCL device when the machine has one, else the managed CPU device — for exact top-k search.
/// </summary>
public sealed class DocsCorpus : IDisposable
{
    private RetrievalIndex? _index;

    /// <summary>The embedder the Embed operator's body calls (the ONNX device runs its own session of the same model).</summary>
    public MiniLmEmbedder Embedder { get; } = new();

    /// <summary>The index; built by <see cref="BuildAsync"/> before the first request.</summary>
    public RetrievalIndex Index => _index ?? throw new InvalidOperationException("DocsCorpus.BuildAsync has not run.");

    /// <summary>Where the top-k scoring kernel runs.</summary>
    public string KernelDevice { get; private set; } = "";

    /// <summary>Loads the corpus (an evenly spaced sample of <paramref name="chunks"/> chunks, or all with null), embeds it (or reads the cache) and uploads it.</summary>
    public async Task<string> BuildAsync(int? chunks, IEnumerable<IDeviceSource> sources, CancellationToken cancellationToken = default)
    {
        var corpus = ReferencePackCorpus.Load(new ReferencePackCorpusOptions { MaxChunks = chunks });
        IKernelDevice? device = sources.SelectMany(s => s.KernelDevices).FirstOrDefault();
        _index = await RetrievalIndex.BuildAsync(corpus, Embedder, device, cancellationToken: cancellationToken);
        KernelDevice = device?.Name ?? "managed CPU (no OpenCL platform)";
        return $"{corpus.Chunks.Count:N0} chunks of {corpus.TotalChunks:N0} from {corpus.Files.Count} files of the .NET {corpus.Version} reference pack; " +
               $"embeddings {_index.EmbeddingOutcome} in {_index.EmbeddingTime.TotalSeconds:0.0} s; top-k kernel on {KernelDevice}";
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _index?.Dispose();
        Embedder.Dispose();
    }
}
