using Xunit;

namespace AgentDsl.Retrieval.Tests;

public sealed class EmbeddingCacheTests : IDisposable
{
    private const int Dimensions = 8;
    private readonly string _directory = Directory.CreateTempSubdirectory("agentdsl-embcache-").FullName;
    private readonly List<IReadOnlyList<string>> _batches = [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A stand-in model: each text's vector is a function of the text alone, so results can be checked exactly.</summary>
    private float[][] Embed(IReadOnlyList<string> texts)
    {
        _batches.Add([.. texts]);
        return [.. texts.Select(Vector)];
    }

    private static float[] Vector(string text) => [.. Enumerable.Range(0, Dimensions).Select(d => (float)((text.Length * 31) + (d * 7) + text.Sum(c => c * (d + 1))) / 1000f)];

    private static void AssertVectors(IReadOnlyList<string> texts, EmbeddedTexts embedded)
    {
        Assert.Equal(texts.Count, embedded.Count);
        Assert.Equal(texts.Count * Dimensions, embedded.Vectors.Length);
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.Equal(Vector(texts[i]), embedded.Vectors.AsSpan(i * Dimensions, Dimensions).ToArray());
        }
    }

    private static string[] Texts(int count, string prefix = "text") => [.. Enumerable.Range(0, count).Select(i => prefix + new string('.', (i * 7) % 13) + i)];

    [Fact]
    public void ASecondRunReadsTheCacheInsteadOfEmbedding()
    {
        var cache = new EmbeddingCache(_directory);
        var texts = Texts(100);
        var first = cache.GetOrEmbed(texts, "model-a", Dimensions, Embed, batchSize: 32);
        Assert.Equal(EmbeddingCacheOutcome.Miss, first.Outcome);
        Assert.Equal(4, _batches.Count);
        AssertVectors(texts, first);
        Assert.True(File.Exists(cache.FileFor(texts, "model-a", Dimensions)));

        var second = new EmbeddingCache(_directory).GetOrEmbed(texts, "model-a", Dimensions, Embed, batchSize: 32);
        Assert.Equal(EmbeddingCacheOutcome.Hit, second.Outcome);
        Assert.Equal(4, _batches.Count);
        Assert.Equal(first.Vectors, second.Vectors);
    }

    [Fact]
    public void BatchesHoldSimilarLengthsAndVectorsComeBackInInputOrder()
    {
        var texts = Texts(70);
        var embedded = new EmbeddingCache(string.Empty).GetOrEmbed(texts, "m", Dimensions, Embed, batchSize: 32);
        Assert.Equal(EmbeddingCacheOutcome.Disabled, embedded.Outcome);
        Assert.Equal([32, 32, 6], _batches.Select(b => b.Count));
        var lengths = _batches.SelectMany(b => b).Select(t => t.Length).ToList();
        Assert.Equal(lengths.Order(), lengths);
        AssertVectors(texts, embedded);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void AnotherTextOrModelMisses()
    {
        var cache = new EmbeddingCache(_directory);
        var texts = Texts(10);
        cache.GetOrEmbed(texts, "model-a", Dimensions, Embed);
        var changed = texts.ToArray();
        changed[5] += "!";
        Assert.Equal(EmbeddingCacheOutcome.Miss, cache.GetOrEmbed(changed, "model-a", Dimensions, Embed).Outcome);
        Assert.Equal(EmbeddingCacheOutcome.Miss, cache.GetOrEmbed(texts, "model-b", Dimensions, Embed).Outcome);
        Assert.Equal(EmbeddingCacheOutcome.Hit, cache.GetOrEmbed(texts, "model-a", Dimensions, Embed).Outcome);
        Assert.Equal(3, Directory.GetFiles(_directory, "*.vec").Length);
    }

    [Theory]
    [InlineData("flip a vector byte")]
    [InlineData("flip a key byte")]
    [InlineData("truncate")]
    [InlineData("another key's file")]
    [InlineData("NaN with a matching checksum")]
    public void AnInvalidFileIsEmbeddedAgainAndNeverYieldsWrongVectors(string damage)
    {
        var cache = new EmbeddingCache(_directory);
        var texts = Texts(20);
        cache.GetOrEmbed(texts, "m", Dimensions, Embed);
        string file = cache.FileFor(texts, "m", Dimensions)!;
        byte[] bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "flip a vector byte":
                bytes[^5] ^= 0x40;
                break;
            case "flip a key byte":
                bytes[25] ^= 0x01;
                break;
            case "truncate":
                bytes = bytes[..^4];
                break;
            case "another key's file":
                var other = Texts(20, "other");
                cache.GetOrEmbed(other, "m", Dimensions, Embed);
                bytes = File.ReadAllBytes(cache.FileFor(other, "m", Dimensions)!);
                break;
            case "NaN with a matching checksum":
                BitConverter.GetBytes(float.NaN).CopyTo(bytes, 88);
                System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(88), bytes.AsSpan(52, 32));
                break;
        }

        File.WriteAllBytes(file, bytes);
        int before = _batches.Count;
        var again = cache.GetOrEmbed(texts, "m", Dimensions, Embed);
        Assert.Equal(EmbeddingCacheOutcome.Invalid, again.Outcome);
        Assert.True(_batches.Count > before, "embedded again");
        AssertVectors(texts, again);

        // Rewritten: the next run hits.
        var third = cache.GetOrEmbed(texts, "m", Dimensions, Embed);
        Assert.Equal(EmbeddingCacheOutcome.Hit, third.Outcome);
        AssertVectors(texts, third);
    }

    [Fact]
    public void AnEmbedderReturningTheWrongShapeIsAnError()
    {
        var cache = new EmbeddingCache(string.Empty);
        var ex = Assert.Throws<InvalidOperationException>(() => cache.GetOrEmbed(Texts(3), "m", Dimensions, t => [.. t.Select(_ => new float[Dimensions - 1])]));
        Assert.Contains("length 7", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => cache.GetOrEmbed(Texts(3), "m", Dimensions, t => [new float[Dimensions]]));
        Assert.Throws<InvalidOperationException>(() => cache.GetOrEmbed(Texts(3), "m", Dimensions, t => [.. t.Select(_ => Enumerable.Repeat(float.PositiveInfinity, Dimensions).ToArray())]));
    }
}
