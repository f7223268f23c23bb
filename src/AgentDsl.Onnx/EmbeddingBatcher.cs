using System.Threading.Channels;

namespace AgentDsl.Onnx;

/// <summary>
/// Micro-batching in front of the engine: texts of concurrent requests that arrive within <c>MaxDelay</c> of the first
/// (or while the engine is busy) are embedded by one batch call of at most <c>MaxBatch</c> texts, on one pump task. Each
/// request gets its own vector. When a batch call fails, its texts are embedded one by one, so an error fails only the
/// requests whose text causes it; a request cancelled before its batch runs is left out of it, and cancelling one request
/// never cancels the call the others are in.
/// </summary>
internal sealed class EmbeddingBatcher : IDisposable
{
    private readonly Func<IReadOnlyList<string>, float[][]> _embed;
    private readonly int _maxBatch;
    private readonly TimeSpan _maxDelay;
    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;
    private long _calls;
    private long _texts;

    /// <param name="embed">The batch call: one vector per text, in order.</param>
    /// <param name="maxBatch">The most texts in one call.</param>
    /// <param name="maxDelay">How long the first text of a batch waits for others.</param>
    public EmbeddingBatcher(Func<IReadOnlyList<string>, float[][]> embed, int maxBatch, TimeSpan maxDelay)
    {
        _embed = embed;
        _maxBatch = maxBatch;
        _maxDelay = maxDelay;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Engine calls made so far (batch calls, and the one-by-one calls after a failed batch).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Texts embedded so far.</summary>
    public long Texts => Interlocked.Read(ref _texts);

    /// <summary>Queues one text; completes with its vector. <paramref name="cancellationToken"/> cancels this request's wait only.</summary>
    /// <exception cref="ObjectDisposedException">The batcher is stopped.</exception>
    public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        var request = new Request(text, cancellationToken);
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(EmbeddingBatcher), "The ONNX device is stopped.");
        }

        return cancellationToken.CanBeCanceled ? request.Completion.Task.WaitAsync(cancellationToken) : request.Completion.Task;
    }

    /// <summary>Stops taking texts, lets the queued ones run, and waits for the pump (at most 10 s).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _pump.Wait(TimeSpan.FromSeconds(10));
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Request>(_maxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Take(reader, batch);
            if (batch.Count > 0 && batch.Count < _maxBatch && _maxDelay > TimeSpan.Zero)
            {
                // Waits for company, at most MaxDelay after the first text.
                using var window = new CancellationTokenSource(_maxDelay);
                try
                {
                    while (batch.Count < _maxBatch && await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                    {
                        Take(reader, batch);
                    }
                }
                catch (OperationCanceledException) when (window.IsCancellationRequested)
                {
                }
            }

            Run(batch);
            batch.Clear();
        }
    }

    /// <summary>Moves queued texts into the batch, up to its size, leaving out requests already cancelled.</summary>
    private void Take(ChannelReader<Request> reader, List<Request> batch)
    {
        while (batch.Count < _maxBatch && reader.TryRead(out var request))
        {
            if (request.Cancellation.IsCancellationRequested)
            {
                request.Completion.TrySetCanceled(request.Cancellation);
            }
            else
            {
                batch.Add(request);
            }
        }
    }

    private void Run(List<Request> batch)
    {
        // Requests cancelled while the batch gathered leave it.
        batch.RemoveAll(static r =>
        {
            if (!r.Cancellation.IsCancellationRequested)
            {
                return false;
            }

            r.Completion.TrySetCanceled(r.Cancellation);
            return true;
        });
        if (batch.Count == 0)
        {
            return;
        }

        var texts = new string[batch.Count];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = batch[i].Text;
        }

        float[][] vectors;
        try
        {
            vectors = Call(texts);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad text fails the whole call: embed them one by one so that only its request fails.
            foreach (var request in batch)
            {
                try
                {
                    request.Completion.TrySetResult(Call([request.Text])[0]);
                }
                catch (Exception ex)
                {
                    request.Completion.TrySetException(ex);
                }
            }

            return;
        }
        catch (Exception ex)
        {
            batch[0].Completion.TrySetException(ex);
            return;
        }

        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(vectors[i]);
        }
    }

    private float[][] Call(string[] texts)
    {
        Interlocked.Increment(ref _calls);
        var vectors = _embed(texts);
        if (vectors.Length != texts.Length)
        {
            throw new InvalidOperationException($"The engine returned {vectors.Length} vectors for {texts.Length} texts.");
        }

        Interlocked.Add(ref _texts, texts.Length);
        return vectors;
    }

    private sealed class Request(string text, CancellationToken cancellation)
    {
        public string Text { get; } = text;

        public CancellationToken Cancellation { get; } = cancellation;

        public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
