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

    [Operator] public int Total(string[] words) => words.Length;
}
