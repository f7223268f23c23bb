using AgentDsl;
using AgentDsl.Kernels;

namespace QuickStart;

/// <summary>
/// An in-memory vector index over a small knowledge base. Scoring is a kernel: it runs on an OpenCL
/// device when the machine has one (the corpus stays on the device between requests) and on the CPU
/// otherwise; the top-k selection runs on the host.
/// </summary>
public sealed partial class PassageIndex(KernelDevices kernels, PassageIndexOptions options)
{
    public const int Dimensions = 256;

    /// <summary>The index over the built-in knowledge base.</summary>
    public PassageIndex(KernelDevices kernels)
        : this(kernels, new PassageIndexOptions())
    {
    }

    private static readonly string[] Corpus =
    [
        "Reset your password from the sign-in page with the 'Forgot password' link.",
        "Invoices are e-mailed on the first day of each month and can be downloaded from Billing.",
        "If the app crashes on start, clear its cache and update to the latest version.",
        "Two-factor authentication can be enabled under Settings, Security.",
        "Exports larger than 1 GB are split into several files.",
        "A slow dashboard usually means too many widgets; remove the ones you do not use.",
        "API keys are created per project and can be revoked at any time.",
        "Refunds are processed within five business days.",
    ];

    private readonly string[] _corpus = Synthesize(options.Passages);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> Embedded = new();

    // Embedding a large synthetic corpus takes a while: done once per size per process (the load test builds many hosts).
    private readonly Lazy<KernelBuffer<float>> _vectors = new(() => new(Embedded.GetOrAdd(
        options.Passages, n => [.. Synthesize(n).SelectMany(text => TextOps.Embed(text, Dimensions))])));

    /// <summary>Passages in the index.</summary>
    public int Count => _corpus.Length;

    private KernelBuffer<float> Vectors => _vectors.Value;

    /// <summary>The device that ran the last lookup.</summary>
    public string LastDevice { get; private set; } = "none yet";

    /// <summary>Cosine similarity of every passage with a unit query vector, in parallel: one work-item per passage.</summary>
    [Kernel]
    public static void Score(int passage, ReadOnlySpan<float> vectors, ReadOnlySpan<float> query, Span<float> scores, int dimensions)
    {
        if (passage >= scores.Length)
        {
            return;
        }

        float dot = 0f;
        for (int d = 0; d < dimensions; d++)
        {
            dot += vectors[(passage * dimensions) + d] * query[d];
        }

        scores[passage] = dot;
    }

    /// <summary>The built-in passages, then numbered variations of them up to <paramref name="count"/> (a bigger index for load tests).</summary>
    private static string[] Synthesize(int count) =>
        count <= Corpus.Length ? Corpus : [.. Corpus, .. Enumerable.Range(Corpus.Length, count - Corpus.Length).Select(i => $"{Corpus[i % Corpus.Length]} (note {i})")];

    public async Task<Passage[]> SearchAsync(float[] query, int top, CancellationToken ct)
    {
        var vectors = Vectors;
        var scores = new float[_corpus.Length];
        var device = await kernels.LaunchAsync(
            Kernels.Score.Definition,
            d => Kernels.Score.LaunchAsync(d, _corpus.Length, vectors, query, scores, Dimensions, cancellationToken: ct));
        LastDevice = device.Name;
        return [.. scores.Select((score, i) => new Passage(i, _corpus[i], score)).OrderByDescending(p => p.Score).Take(top)];
    }
}

/// <summary>How big the index is.</summary>
public sealed class PassageIndexOptions
{
    /// <summary>Passages: the eight built-in ones, padded with variations when larger.</summary>
    public int Passages { get; init; } = 8;
}
