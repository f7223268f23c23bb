using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>foreach statements for side effects: an async operator, a void one, one whose result is dropped.</summary>
[AgentGraph]
public partial class ForEachGraph
{
    public ConcurrentBag<string> Stored { get; } = new();

    public ConcurrentBag<string> Counted { get; } = new();

    [Flow]
    public async Task<int> Run(string text, CancellationToken ct)
    {
        var words = Words(text);
        foreach (var w in words)
        {
            await Store(w, ct);
        }

        foreach (var w in words)
        {
            Count(w);
        }

        foreach (var w in words)
        {
            Length(w);
        }

        return Total(words);
    }

    [Operator] public string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Operator(OperatorKind.Tool)]
    public async Task Store(string word, CancellationToken ct)
    {
        await Task.Yield();
        Stored.Add(word);
    }

    [Operator] public void Count(string word) => Counted.Add(word);

    [Operator] public int Length(string word) => word.Length;

    [Operator] public int Total(IReadOnlyList<string> words) => words.Count;
}

/// <summary>foreach that adds an operator result per element to a list: fan-out, then fan-in as a List.</summary>
[AgentGraph]
public partial class CollectGraph
{
    [Flow]
    public async Task<string> Run(string text, CancellationToken ct)
    {
        var words = Words(text);
        var summaries = new List<string>();
        foreach (var w in words)
        {
            summaries.Add(await Summarize(w, ct));
        }

        List<int> lengths = [];
        foreach (var w in words)
        {
            lengths.Add(Length(w));
        }

        return Join(summaries, lengths);
    }

    [Operator] public string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Operator(OperatorKind.Llm)]
    public async Task<string> Summarize(string word, CancellationToken ct)
    {
        await Task.Delay(word.Length, ct);
        return word[..1];
    }

    [Operator] public int Length(string word) => word.Length;

    [Operator] public string Join(List<string> summaries, List<int> lengths) => string.Join(",", summaries.Zip(lengths, (s, n) => s + n));
}
