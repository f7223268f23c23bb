using System.Collections.Concurrent;
using Xunit;

namespace AgentDsl.Onnx.Tests;

/// <summary>The device's batcher with a fake engine: grouping, error isolation, cancellation.</summary>
public sealed class EmbeddingBatcherTests
{
    private sealed class FakeEngine
    {
        public ConcurrentQueue<string[]> Calls { get; } = new();

        public float[][] Embed(IReadOnlyList<string> texts)
        {
            Calls.Enqueue([.. texts]);
            if (texts.Contains("bad"))
            {
                throw new InvalidOperationException("bad text");
            }

            return [.. texts.Select(t => new float[] { t.Length })];
        }
    }

    [Fact]
    public async Task Texts_within_the_delay_share_one_call_and_each_gets_its_own_vector()
    {
        var engine = new FakeEngine();
        using var batcher = new EmbeddingBatcher(engine.Embed, maxBatch: 8, maxDelay: TimeSpan.FromSeconds(1));

        var tasks = new[] { "a", "bb", "ccc" }.Select(t => batcher.EmbedAsync(t, CancellationToken.None)).ToArray();
        await Task.Delay(50);
        Assert.Empty(engine.Calls); // still waiting for company
        var more = Enumerable.Range(0, 5).Select(i => batcher.EmbedAsync(new string('d', 10 + i), CancellationToken.None)).ToArray();
        var vectors = await Task.WhenAll(tasks.Concat(more)); // the eighth fills the batch: no need to wait out the delay

        Assert.Equal([1f, 2f, 3f, 10f, 11f, 12f, 13f, 14f], vectors.Select(v => v[0]));
        Assert.Single(engine.Calls);
        Assert.Equal(1, batcher.Calls);
        Assert.Equal(8, batcher.Texts);
    }

    [Fact]
    public async Task A_failed_batch_is_split_so_only_the_bad_text_fails()
    {
        var engine = new FakeEngine();
        using var batcher = new EmbeddingBatcher(engine.Embed, maxBatch: 3, maxDelay: TimeSpan.FromSeconds(1));

        var a = batcher.EmbedAsync("a", CancellationToken.None);
        var bad = batcher.EmbedAsync("bad", CancellationToken.None);
        var c = batcher.EmbedAsync("cc", CancellationToken.None);

        Assert.Equal(1f, (await a)[0]);
        Assert.Equal(2f, (await c)[0]);
        Assert.Equal("bad text", (await Assert.ThrowsAsync<InvalidOperationException>(() => bad)).Message);
        Assert.Equal(4, batcher.Calls); // the batch, then each text alone
        Assert.Equal(["a", "bad", "cc"], engine.Calls.First());
    }

    [Fact]
    public async Task A_request_cancelled_while_waiting_leaves_the_batch_and_the_others_complete()
    {
        var engine = new FakeEngine();
        using var batcher = new EmbeddingBatcher(engine.Embed, maxBatch: 3, maxDelay: TimeSpan.FromMilliseconds(300));
        using var cancel = new CancellationTokenSource();

        var kept = batcher.EmbedAsync("kept", CancellationToken.None);
        var cancelled = batcher.EmbedAsync("cancelled", cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled); // at once, not after the batch
        var late = batcher.EmbedAsync("late", CancellationToken.None);

        Assert.Equal(4f, (await kept)[0]);
        Assert.Equal(4f, (await late)[0]);
        Assert.All(engine.Calls, call => Assert.DoesNotContain("cancelled", call)); // left out of the call it was waiting for
        Assert.Equal(2, engine.Calls.Sum(c => c.Count(t => t != "cancelled")));
    }

    [Fact]
    public async Task Calls_after_dispose_throw()
    {
        var batcher = new EmbeddingBatcher(new FakeEngine().Embed, maxBatch: 2, maxDelay: TimeSpan.Zero);
        Assert.Equal(1f, (await batcher.EmbedAsync("a", CancellationToken.None))[0]);
        batcher.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => batcher.EmbedAsync("a", CancellationToken.None));
    }
}
