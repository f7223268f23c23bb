using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A batchable embedding operator (with a batch form the tests register) and a CPU step.</summary>
[AgentGraph(LatencySlaMs = 1000)]
public partial class EmbedGraph
{
    /// <summary>The size of every batch the batch form ran.</summary>
    public ConcurrentQueue<int> Batches { get; } = new();

    public bool WrongCount { get; set; }

    [Flow]
    public async Task<int> Run(string text, CancellationToken ct)
    {
        var prepared = await Prepare(text, ct);
        var vector = Embed(prepared);
        return Score(vector);
    }

    /// <summary>Texts starting with "slow" take 60 ms to get here.</summary>
    [Operator]
    public Task<string> Prepare(string text, CancellationToken ct) => SlowTexts.PrepareAsync(text, ct);

    [Operator(OperatorKind.Model, Batchable = true)]
    public int[] Embed(string text) => [text.Length, text.Count(c => c == 'a')];

    [Operator(Batchable = false)]
    public int Score(int[] vector) => (vector[0] * 100) + vector[1];

    /// <summary>The batch form: one vector per text, in order.</summary>
    public IReadOnlyList<int[]> EmbedBatch(IReadOnlyList<string> texts)
    {
        Batches.Enqueue(texts.Count);
        var vectors = texts.Select(Embed).ToList();
        return WrongCount ? vectors.Skip(1).ToList() : vectors;
    }
}

/// <summary>Like <see cref="EmbedGraph"/>, but the batch form is an overload of the operator, found by the generator.</summary>
[AgentGraph(LatencySlaMs = 1000)]
public partial class ListEmbedGraph
{
    /// <summary>The size of every batch the batch form ran.</summary>
    public ConcurrentQueue<int> Batches { get; } = new();

    [Flow]
    public async Task<int> Run(string text, CancellationToken ct)
    {
        var prepared = await Prepare(text, ct);
        var vector = await Embed(prepared, ct);
        return Score(vector);
    }

    /// <summary>Texts starting with "slow" take 60 ms to get here.</summary>
    [Operator]
    public Task<string> Prepare(string text, CancellationToken ct) => SlowTexts.PrepareAsync(text, ct);

    [Operator(OperatorKind.Model, Batchable = true)]
    public Task<int[]> Embed(string text, CancellationToken ct) => Task.FromResult(Vector(text));

    /// <summary>The batch form: same name, a list of the input, one result per text (asynchronous, like a model server call).</summary>
    public async Task<int[][]> Embed(IReadOnlyList<string> texts, CancellationToken ct)
    {
        Batches.Enqueue(texts.Count);
        await Task.Yield();
        return [.. texts.Select(Vector)];
    }

    [Operator]
    public int Score(int[] vector) => (vector[0] * 100) + vector[1];

    private static int[] Vector(string text) => [text.Length, text.Count(c => c == 'a')];
}

/// <summary>What the embedding graphs' first step does.</summary>
internal static class SlowTexts
{
    /// <summary>Texts starting with "slow" take 60 ms.</summary>
    public static async Task<string> PrepareAsync(string text, CancellationToken ct)
    {
        if (text.StartsWith("slow", StringComparison.Ordinal))
        {
            await Task.Delay(60, ct);
        }

        return text;
    }
}
