using AgentDsl.OpenCL;
using AgentDsl.Retrieval;
using BenchmarkDotNet.Attributes;

namespace AgentDsl.Benchmarks;

/// <summary>
/// Exact top-10 over 20,000 × 384 unit vectors (the size of a third of the reference-pack corpus): the OpenCL
/// index (matrix resident on the device, the [Kernel] scoring kernel, host selection with rescoring) against
/// <see cref="ExactVectorIndex"/> (TensorPrimitives.Dot on the CPU, row blocks in parallel). Both return the same
/// rows and scores. Vectors are seeded random: speed does not depend on their values.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class RetrievalBenchmarks
{
    private const int Rows = 20_000;
    private const int Dimensions = 384;
    private const int K = 10;

    private ExactVectorIndex _exact = null!;
    private KernelVectorIndex _openCl = null!;
    private OpenClDevice _device = null!;
    private float[][] _queries = null!;

    /// <summary>Queries per call: one, or a batch of 32 (scored in one launch, or one pass over the row blocks).</summary>
    [Params(1, 32)]
    public int Queries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        float[] Unit()
        {
            var v = new float[Dimensions];
            for (int d = 0; d < Dimensions; d++)
            {
                v[d] = (float)((random.NextDouble() * 2) - 1);
            }

            float norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(v));
            for (int d = 0; d < Dimensions; d++)
            {
                v[d] /= norm;
            }

            return v;
        }

        var rows = new float[Rows * Dimensions];
        for (int r = 0; r < Rows; r++)
        {
            Unit().CopyTo(rows, r * Dimensions);
        }

        _exact = new ExactVectorIndex(rows, Dimensions);
        var (devices, problem) = OpenClDeviceInfo.Discover();
        _device = new OpenClDevice(devices.Count > 0 ? devices[0] : throw new InvalidOperationException(problem));
        _openCl = new KernelVectorIndex(_exact, _device);
        _queries = [.. Enumerable.Range(0, Queries).Select(_ => Unit())];
        _openCl.WarmUpAsync().GetAwaiter().GetResult();

        // Same answers, checked once before measuring.
        var expected = _exact.Search(_queries, K);
        var actual = _openCl.SearchBatchAsync(_queries, K).AsTask().GetAwaiter().GetResult();
        for (int q = 0; q < Queries; q++)
        {
            if (!expected[q].SequenceEqual(actual[q]))
            {
                throw new InvalidOperationException($"OpenCL and managed top-{K} differ for query {q}.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _openCl.Dispose();
        _device.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TensorPrimitives (CPU)")]
    public int Managed() => _exact.Search(_queries, K)[^1][0].Row;

    [Benchmark(Description = "OpenCL kernel + host top-k")]
    public async Task<int> OpenCl() => (await _openCl.SearchBatchAsync(_queries, K))[^1][0].Row;
}
