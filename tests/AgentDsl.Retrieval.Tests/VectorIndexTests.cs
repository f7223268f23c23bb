using AgentDsl.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Retrieval.Tests;

[Collection(RetrievalCollection.Name)]
public sealed class VectorIndexTests(RetrievalFixture fixture, ITestOutputHelper output)
{
    private static readonly int[] Ks = [1, 5, 10];

    /// <summary>Random unit vectors with exact duplicates (equal scores for every query), and queries that equal duplicated rows.</summary>
    private static (float[] Rows, float[][] Queries, int[] Duplicated) RandomWithTies(int rows, int dimensions, int queries, int seed)
    {
        var random = new Random(seed);
        float[] Unit()
        {
            var v = new float[dimensions];
            double norm = 0;
            for (int d = 0; d < dimensions; d++)
            {
                v[d] = (float)((random.NextDouble() * 2) - 1);
                norm += (double)v[d] * v[d];
            }

            for (int d = 0; d < dimensions; d++)
            {
                v[d] = (float)(v[d] / Math.Sqrt(norm));
            }

            return v;
        }

        var data = new float[rows * dimensions];
        for (int r = 0; r < rows; r++)
        {
            Unit().CopyTo(data, r * dimensions);
        }

        // Rows 10, 20, … are copied to 3 later positions each: ties the ranking must break by row.
        var duplicated = Enumerable.Range(1, 30).Select(i => i * 10).ToArray();
        int next = rows - 1;
        foreach (int source in duplicated)
        {
            for (int copy = 0; copy < 3; copy++, next--)
            {
                Array.Copy(data, source * dimensions, data, next * dimensions, dimensions);
            }
        }

        var q = new float[queries][];
        for (int i = 0; i < queries; i++)
        {
            q[i] = i % 2 == 0 ? data.AsSpan(duplicated[i % duplicated.Length] * dimensions, dimensions).ToArray() : Unit();
        }

        return (data, q, duplicated);
    }

    private static void AssertSame(ScoredRow[] expected, ScoredRow[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {expected.Length} vs {actual.Length} rows");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Row == actual[i].Row && BitConverter.SingleToInt32Bits(expected[i].Score) == BitConverter.SingleToInt32Bits(actual[i].Score), $"{what}[{i}]: exact ({expected[i].Row}, {expected[i].Score:R}), other ({actual[i].Row}, {actual[i].Score:R})");
        }
    }

    private async Task AssertExact(ExactVectorIndex exact, IVectorIndex other, float[][] queries, string what)
    {
        foreach (int k in Ks)
        {
            double recall = 0;
            var batch = await other.SearchBatchAsync(queries, k);
            for (int q = 0; q < queries.Length; q++)
            {
                var expected = exact.Search(queries[q], k);
                var single = await other.SearchAsync(queries[q], k);
                AssertSame(expected, single, $"{what} k={k} query {q}");
                AssertSame(expected, batch[q], $"{what} k={k} batch query {q}");
                Assert.Equal(expected, exact.Search([queries[q]], k)[0]);
                var truth = BruteForce.TopK(exact.Vectors, exact.Dimensions, queries[q], k);
                recall += BruteForce.Recall(single.Select(s => s.Row), truth);
            }

            recall /= queries.Length;
            output.WriteLine($"{what}: recall@{k} of the kernel's top-k against double-precision brute force = {recall:F4} over {queries.Length} queries");
            Assert.Equal(1.0, recall);
        }
    }

    [Fact]
    public async Task OpenClTopKEqualsTheManagedIndexOnRandomVectorsWithTies()
    {
        var (rows, queries, duplicated) = RandomWithTies(3_000, 64, 40, seed: 7);
        var exact = new ExactVectorIndex(rows, 64);
        using var onDevice = new KernelVectorIndex(exact, fixture.Device);
        await AssertExact(exact, onDevice, queries, "random+ties on " + fixture.Device.Name);

        // A query equal to a duplicated row: the row and its three copies score the same, lowest row first.
        var top = await onDevice.SearchAsync(queries[0], 4);
        Assert.Equal(duplicated[0], top[0].Row);
        Assert.All(top, t => Assert.Equal(top[0].Score, t.Score));
        Assert.Equal(top.Select(t => t.Row).Order(), top.Select(t => t.Row));
        Assert.Equal(4, top.Select(t => t.Row).Distinct().Count());
    }

    [Fact]
    public async Task TheManagedKernelDeviceGivesTheSameTopK()
    {
        var (rows, queries, _) = RandomWithTies(600, 32, 6, seed: 11);
        var exact = new ExactVectorIndex(rows, 32);
        using var managed = new KernelVectorIndex(exact, new ManagedKernelDevice());
        foreach (int k in Ks)
        {
            var batch = await managed.SearchBatchAsync(queries, k);
            for (int q = 0; q < queries.Length; q++)
            {
                AssertSame(exact.Search(queries[q], k), batch[q], $"managed kernel device k={k} query {q}");
            }
        }
    }

    [Fact]
    public async Task OpenClTopKHasRecallOneOnRealMiniLmEmbeddings()
    {
        var index = Assert.IsType<KernelVectorIndex>(fixture.Index.VectorIndex);
        var exact = index.Exact;
        Assert.Equal(fixture.Chunks.Count, exact.Count);
        Assert.Equal(384, exact.Dimensions);

        // Queries: 24 chunk vectors of the corpus and 8 embedded questions.
        var queries = Enumerable.Range(0, 24).Select(i => exact.Row(i * 41).ToArray()).Concat(fixture.Embedder.Embed(
        [
            "how do I parse a date from text", "compress a stream with gzip", "thread-safe dictionary", "read a file line by line",
            "cancel an asynchronous operation", "format a number as currency", "sort a list with a comparer", "regular expression match",
        ])).ToArray();
        await AssertExact(exact, index, queries, $"MiniLM {exact.Count} chunks on {fixture.Device.Name}");
    }

    [Fact]
    public async Task KernelScoresDifferFromTensorPrimitivesOnlyWithinTheRoundingBound()
    {
        // The reason the host rescores: the device's scores (dimension order) and TensorPrimitives' (SIMD order)
        // are both within γ‖row‖‖query‖ of the true dot product, so they differ by at most 2γ for unit vectors.
        var index = Assert.IsType<KernelVectorIndex>(fixture.Index.VectorIndex);
        var exact = index.Exact;
        float[] query = fixture.Embedder.Embed("compress a stream with gzip");
        var columns = new float[exact.Count * exact.Dimensions];
        for (int r = 0; r < exact.Count; r++)
        {
            for (int d = 0; d < exact.Dimensions; d++)
            {
                columns[(d * exact.Count) + r] = exact.Row(r)[d];
            }
        }

        var scores = new float[exact.Count];
        await RetrievalKernels.Kernels.Score.LaunchAsync(fixture.Device, (exact.Count, 1), columns, query, scores, exact.Count, exact.Dimensions);
        double gamma = exact.Dimensions * Math.Pow(2, -24) / (1 - (exact.Dimensions * Math.Pow(2, -24)));
        double bound = 2 * gamma * exact.MaxRowNorm * Math.Sqrt(query.Sum(x => (double)x * x));
        int differing = 0;
        double largest = 0;
        for (int r = 0; r < exact.Count; r++)
        {
            float managed = exact.Score(r, query);
            differing += managed != scores[r] ? 1 : 0;
            largest = Math.Max(largest, Math.Abs(managed - scores[r]));
        }

        output.WriteLine($"{differing} of {exact.Count} rows score differently on {fixture.Device.Name} and with TensorPrimitives; largest difference {largest:E2}, bound 2γ = {bound:E2}");
        Assert.True(largest <= bound, $"largest difference {largest:E2} exceeds {bound:E2}");
    }

    [Fact]
    public async Task TheMatrixStaysOnTheDeviceAndOnlyQueriesTravel()
    {
        var index = Assert.IsType<KernelVectorIndex>(fixture.Index.VectorIndex);
        var queries = Enumerable.Range(0, 3).Select(i => index.Exact.Row(i).ToArray()).ToArray();
        await index.SearchBatchAsync(queries, 5);
        var before = fixture.Device.Transfers;
        await index.SearchBatchAsync(queries, 5);
        var after = fixture.Device.Transfers;
        long matrixBytes = (long)index.Count * index.Dimensions * sizeof(float);
        output.WriteLine($"matrix {matrixBytes} B; one search of 3 queries moved {after.HostToDevice - before.HostToDevice} B to the device and {after.DeviceToHost - before.DeviceToHost} B back");
        Assert.Equal(3L * index.Dimensions * sizeof(float), after.HostToDevice - before.HostToDevice);
        Assert.Equal(3L * index.Count * sizeof(float), after.DeviceToHost - before.DeviceToHost);
    }

    [Fact]
    public async Task BadQueriesAreRejectedWithTheirPlace()
    {
        var exact = new ExactVectorIndex(new float[40], 4);
        using var onDevice = new KernelVectorIndex(exact, fixture.Device);
        Assert.Contains("3 elements", (await Assert.ThrowsAsync<ArgumentException>(async () => await onDevice.SearchAsync(new float[3], 1))).Message, StringComparison.Ordinal);
        Assert.Contains("Query 1", (await Assert.ThrowsAsync<ArgumentException>(async () => await onDevice.SearchBatchAsync([new float[4], [0, float.NaN, 0, 0]], 1))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await onDevice.SearchAsync(new float[4], 0));
        Assert.Contains("Row 2", Assert.Throws<ArgumentException>(() => new ExactVectorIndex([0, 0, 0, 0, 0, 0, 0, 0, float.PositiveInfinity, 0, 0, 0], 4)).Message, StringComparison.Ordinal);
        Assert.Equal(10, (await onDevice.SearchAsync(new float[4], 50)).Length);
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => new KernelVectorIndex(new ExactVectorIndex([], 4), fixture.Device)).Message, StringComparison.Ordinal);
        Assert.Empty(new ExactVectorIndex([], 4).Search(new float[4], 3));
    }
}
