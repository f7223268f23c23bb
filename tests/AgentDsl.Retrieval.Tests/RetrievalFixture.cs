using AgentDsl.Onnx;
using AgentDsl.OpenCL;
using Xunit;

namespace AgentDsl.Retrieval.Tests;

/// <summary>
/// Shared by the tests: the whole reference-pack corpus (read once), the MiniLM embedder, an OpenCL device, and a
/// retrieval index over an evenly spaced sample of 1,000 chunks plus the chunks the sanity queries look for.
/// No OpenCL platform is a failure, never a skip: scripts/test.sh installs PoCL, and CI sets AGENTDSL_REQUIRE_OPENCL=1.
/// </summary>
public sealed class RetrievalFixture : IAsyncLifetime
{
    public const int SampleSize = 1_000;

    /// <summary>Members the sanity queries must find (paraphrases in <see cref="RetrievalTests"/>).</summary>
    public static readonly string[] TargetMembers =
    [
        "M:System.String.IsNullOrWhiteSpace(System.String)",
        "T:System.IO.Compression.ZipArchive",
        "M:System.Threading.Thread.Sleep(System.Int32)",
        "M:System.String.Trim",
        "M:System.IO.File.ReadAllText(System.String)",
    ];

    private MiniLmEmbedder? _embedder;
    private OpenClDevice? _device;
    private RetrievalIndex? _index;

    public ReferencePackCorpus Corpus => SharedCorpus.Value;

    public string CacheDirectory { get; } = Path.Combine(Path.GetTempPath(), "agentdsl-retrieval-tests-" + Guid.NewGuid().ToString("N"));

    public MiniLmEmbedder Embedder => _embedder!;

    public OpenClDevice Device => _device!;

    /// <summary>The index on the OpenCL device.</summary>
    public RetrievalIndex Index => _index!;

    /// <summary>The sample plus the target chunks (appended after it).</summary>
    public IReadOnlyList<CorpusChunk> Chunks { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var (infos, problem) = OpenClDeviceInfo.Discover();
        if (infos.Count == 0)
        {
            throw new InvalidOperationException(
                $"These tests need an OpenCL platform, and {problem}. Run scripts/test.sh (it installs pocl-opencl-icd) or install one.");
        }

        _device = new OpenClDevice(infos[0], Path.Combine(CacheDirectory, "opencl"));
        _embedder = new MiniLmEmbedder();
        var sample = ReferencePackCorpus.Sample(Corpus.Chunks, SampleSize).ToList();
        foreach (string member in TargetMembers)
        {
            var target = Corpus.Chunks.First(c => c.MemberId == member);
            if (!sample.Any(c => c.MemberId == member))
            {
                sample.Add(target with { Index = sample.Count });
            }
        }

        Chunks = sample;
        _index = await RetrievalIndex.BuildAsync(Chunks, Embedder, Device, new RetrievalIndexOptions { CacheDirectory = Path.Combine(CacheDirectory, "embeddings") });
    }

    public Task DisposeAsync()
    {
        _index?.Dispose();
        _device?.Dispose();
        _embedder?.Dispose();
        if (Directory.Exists(CacheDirectory))
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The whole reference-pack corpus, read once per test run (the corpus tests need no OpenCL).</summary>
internal static class SharedCorpus
{
    private static readonly Lazy<ReferencePackCorpus> Corpus = new(() => ReferencePackCorpus.Load());

    public static ReferencePackCorpus Value => Corpus.Value;
}

[CollectionDefinition(Name)]
public sealed class RetrievalCollection : ICollectionFixture<RetrievalFixture>
{
    public const string Name = "Retrieval";
}

/// <summary>Exact brute force in double precision, independent of both indexes: every row scored, then a full sort.</summary>
internal static class BruteForce
{
    public static int[] TopK(ReadOnlySpan<float> rows, int dimensions, float[] query, int k)
    {
        int count = rows.Length / dimensions;
        var scores = new double[count];
        for (int r = 0; r < count; r++)
        {
            double sum = 0;
            for (int d = 0; d < dimensions; d++)
            {
                sum += (double)rows[(r * dimensions) + d] * query[d];
            }

            scores[r] = sum;
        }

        return [.. Enumerable.Range(0, count).OrderByDescending(r => scores[r]).ThenBy(r => r).Take(k)];
    }

    /// <summary>|returned ∩ exact| / |exact|.</summary>
    public static double Recall(IEnumerable<int> returned, IReadOnlyCollection<int> exact) => returned.Intersect(exact).Count() / (double)exact.Count;
}
