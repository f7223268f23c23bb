using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>Fan-out and fan-in: an async operator over each chunk with Task.WhenAll, a synchronous one with ToArray.</summary>
[AgentGraph(LatencySlaMs = 2_000)]
public partial class FanOutGraph
{
    private int _active;
    private int _maxActive;

    public ConcurrentQueue<string> Calls { get; } = new();

    public int MaxConcurrentSummaries => Volatile.Read(ref _maxActive);

    [Flow]
    public async Task<string> Run(string text, CancellationToken ct)
    {
        var chunks = Split(text);
        var summaries = await Task.WhenAll(chunks.Select(c => Summarize(c, 3, ct)));
        var lengths = chunks.Select(c => Length(c)).ToArray();
        return Join(summaries, lengths);
    }

    [Operator] public string[] Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Operator(OperatorKind.Llm)]
    public async Task<string> Summarize(string chunk, int max, CancellationToken ct)
    {
        int now = Interlocked.Increment(ref _active);
        int seen;
        while ((seen = Volatile.Read(ref _maxActive)) < now && Interlocked.CompareExchange(ref _maxActive, now, seen) != seen)
        {
        }

        await Task.Delay(20, ct);
        Interlocked.Decrement(ref _active);
        Calls.Enqueue(chunk);
        if (chunk == "fail")
        {
            throw new InvalidOperationException("cannot summarize 'fail'");
        }

        return chunk.Length <= max ? chunk : chunk[..max];
    }

    [Operator] public int Length(string chunk) => chunk.Length;

    [Operator] public string Join(string[] summaries, int[] lengths) =>
        string.Join(",", summaries.Zip(lengths, (s, n) => $"{s}/{n}"));
}
