using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Onnx.Tests;

public sealed class MiniLmEmbedderTests(MiniLmFixture fixture, ITestOutputHelper output) : IClassFixture<MiniLmFixture>
{
    readonly MiniLmEmbedder _embedder = fixture.Embedder;

    static readonly string[] Texts =
    [
        "Returns the number of elements contained in the list.",
        "Reads all bytes from a file and closes it.",
        "Converts the specified string to uppercase using the invariant culture.",
        "Suspends the current thread for the specified number of milliseconds.",
        "x",
        "",
        "Represents a strongly typed list of objects that can be accessed by index. Provides methods to search, sort, and manipulate lists.",
    ];

    [Fact]
    public void Vectors_have_384_finite_components_and_unit_norm()
    {
        Assert.Equal(384, _embedder.Dimensions);
        foreach (var text in Texts)
        {
            var v = _embedder.Embed(text);
            Assert.Equal(384, v.Length);
            Assert.All(v, x => Assert.True(float.IsFinite(x)));
            Assert.InRange(Math.Sqrt(MiniLmFixture.Dot(v, v)), 0.9999, 1.0001);
        }
    }

    [Fact]
    public void Batch_form_equals_one_by_one_embedding_per_input()
    {
        // Inputs of different lengths: the batch pads to the longest and masks the padding.
        var batch = _embedder.Embed(Texts);
        Assert.Equal(Texts.Length, batch.Length);
        for (int i = 0; i < Texts.Length; i++)
        {
            var single = _embedder.Embed(Texts[i]);
            output.WriteLine($"input {i}: cosine {MiniLmFixture.Cosine(single, batch[i]):R}, bitwise equal {single.AsSpan().SequenceEqual(batch[i])}");
            Assert.True(MiniLmFixture.Cosine(single, batch[i]) >= 0.9999, $"input {i}: cosine {MiniLmFixture.Cosine(single, batch[i])}");
        }
    }

    [Fact]
    public void Batch_of_one_is_bitwise_the_single_form_and_empty_batch_is_empty()
    {
        Assert.Equal(_embedder.Embed(Texts[0]), _embedder.Embed([Texts[0]])[0]);
        Assert.Empty(_embedder.Embed(Array.Empty<string>()));
    }

    [Theory]
    [InlineData(
        "Returns the number of elements contained in the list.",
        "Gets how many items are in the collection.",
        "Opens a network socket and connects it to a remote host.")]
    [InlineData(
        "Reads all bytes from a file and closes it.",
        "Loads the entire contents of a file into a byte array.",
        "Computes the square root of a double-precision number.")]
    [InlineData(
        "Converts the specified string to uppercase.",
        "Returns a copy of this text with every letter made capital.",
        "Suspends the current thread for the specified number of milliseconds.")]
    public void A_paraphrase_is_closer_than_an_unrelated_sentence(string anchor, string paraphrase, string unrelated)
    {
        var v = _embedder.Embed([anchor, paraphrase, unrelated]);
        double near = MiniLmFixture.Dot(v[0], v[1]), far = MiniLmFixture.Dot(v[0], v[2]);
        output.WriteLine($"paraphrase {near:F3}, unrelated {far:F3}");
        Assert.True(near > far + 0.1, $"paraphrase {near:F3}, unrelated {far:F3}");
    }

    [Fact]
    public async Task Four_concurrent_callers_get_the_sequential_vectors()
    {
        var expectedSingle = Texts.Select(_embedder.Embed).ToArray();
        var expectedBatch = _embedder.Embed(Texts);

        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(() =>
        {
            var results = new List<(int Round, float[][] Single, float[][] Batch)>();
            for (int round = 0; round < 3; round++)
            {
                // Callers start at different inputs so that different texts are in flight at once.
                var single = new float[Texts.Length][];
                for (int k = 0; k < Texts.Length; k++)
                {
                    int i = (k + c) % Texts.Length;
                    single[i] = _embedder.Embed(Texts[i]);
                }
                results.Add((round, single, _embedder.Embed(Texts)));
            }
            return results;
        })).ToArray();

        foreach (var caller in await Task.WhenAll(callers))
        {
            foreach (var (_, single, batch) in caller)
            {
                for (int i = 0; i < Texts.Length; i++)
                {
                    Assert.Equal(expectedSingle[i], single[i]);
                    Assert.Equal(expectedBatch[i], batch[i]);
                }
            }
        }
    }

    [Fact]
    public void Long_texts_are_truncated_not_rejected()
    {
        // The package's tokenizer cuts a text to the model's window: only its start is embedded.
        var words600 = _embedder.Embed(string.Join(' ', Enumerable.Repeat("embedding", 600)));
        var words2000 = _embedder.Embed(string.Join(' ', Enumerable.Repeat("embedding", 2000)));
        var words20 = _embedder.Embed(string.Join(' ', Enumerable.Repeat("embedding", 20)));
        Assert.Equal(words600, words2000);
        Assert.NotEqual(words20, words600);
    }

    [Fact]
    public void Null_inputs_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => _embedder.Embed((string)null!));
        Assert.Throws<ArgumentNullException>(() => _embedder.Embed((IReadOnlyList<string>)null!));
        var e = Assert.Throws<ArgumentException>(() => _embedder.Embed(["a", null!]));
        Assert.Contains("Text 1", e.Message);
    }
}

public sealed class MiniLmEmbedderLifetimeTests
{
    [Fact]
    public void Calls_after_dispose_throw_and_dispose_is_idempotent()
    {
        var embedder = new MiniLmEmbedder(intraOpThreads: 1);
        Assert.Equal(384, embedder.Embed("hello").Length);
        embedder.Dispose();
        embedder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => embedder.Embed("hello"));
        Assert.Throws<ObjectDisposedException>(() => embedder.Embed(["hello"]));
    }

    [Fact]
    public void Negative_thread_count_is_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbedder(intraOpThreads: -1));
}
