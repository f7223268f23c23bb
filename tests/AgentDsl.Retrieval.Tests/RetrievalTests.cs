using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Retrieval.Tests;

[Collection(RetrievalCollection.Name)]
public sealed class RetrievalTests(RetrievalFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("check if a string is empty or has only spaces", "M:System.String.IsNullOrWhiteSpace(System.String)")]
    [InlineData("a bundle of compressed files in zip format", "T:System.IO.Compression.ZipArchive")]
    [InlineData("make the current thread wait for a number of milliseconds", "M:System.Threading.Thread.Sleep(System.Int32)")]
    [InlineData("strip whitespace from the beginning and end of a string", "M:System.String.Trim")]
    [InlineData("load the whole contents of a text file into a string", "M:System.IO.File.ReadAllText(System.String)")]
    public async Task AParaphraseFindsTheMemberInTheTopFive(string query, string member)
    {
        var hits = await fixture.Index.SearchAsync(query, 5);
        output.WriteLine($"\"{query}\" over {fixture.Chunks.Count} chunks:");
        foreach (var hit in hits)
        {
            output.WriteLine($"  {hit.Score:F3} {hit.Chunk.MemberId}: {hit.Chunk.Text}");
        }

        Assert.Contains(hits, h => h.Chunk.MemberId == member);
        Assert.Equal(hits.OrderByDescending(h => h.Score), hits);
    }

    [Fact]
    public async Task TheBatchFormReturnsWhatSingleQueriesDo()
    {
        string[] queries = ["a bundle of compressed files in zip format", "strip whitespace from the beginning and end of a string"];
        var batch = await fixture.Index.SearchAsync(queries, 5);
        for (int i = 0; i < queries.Length; i++)
        {
            var single = await fixture.Index.SearchAsync(queries[i], 5);
            Assert.Equal(single.Select(h => h.Chunk.Index), batch[i].Select(h => h.Chunk.Index));
        }
    }

    [Fact]
    public async Task RebuildingReadsTheVectorsFromTheCache()
    {
        Assert.Equal(EmbeddingCacheOutcome.Miss, fixture.Index.EmbeddingOutcome);
        using var again = await RetrievalIndex.BuildAsync(fixture.Chunks, fixture.Embedder, device: null, new RetrievalIndexOptions { CacheDirectory = Path.Combine(fixture.CacheDirectory, "embeddings") });
        output.WriteLine($"embedding {fixture.Chunks.Count} chunks: {fixture.Index.EmbeddingTime.TotalSeconds:F1} s; from the cache: {again.EmbeddingTime.TotalMilliseconds:F0} ms");
        Assert.Equal(EmbeddingCacheOutcome.Hit, again.EmbeddingOutcome);
        var cached = Assert.IsType<ExactVectorIndex>(again.VectorIndex);
        var original = Assert.IsType<KernelVectorIndex>(fixture.Index.VectorIndex).Exact;
        Assert.True(cached.Vectors.SequenceEqual(original.Vectors));
        var hits = await again.SearchAsync("a bundle of compressed files in zip format", 5);
        Assert.Equal((await fixture.Index.SearchAsync("a bundle of compressed files in zip format", 5)).Select(h => (h.Chunk, h.Score)), hits.Select(h => (h.Chunk, h.Score)));
    }
}
