using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>Tuple deconstruction of operator results: <c>var (a, b) = Op(x);</c>, awaited, with names and a discard.</summary>
[AgentGraph(LatencySlaMs = 5_000)]
public partial class TupleGraph
{
    [Flow]
    public async Task<string> Run(string text, CancellationToken ct)
    {
        var (head, tail) = Split(text);
        var (count, _, last) = await Measure(tail, ct);
        return Join(head, last, count);
    }

    [Operator] public (string Head, string Tail) Split(string text) => text.IndexOf(' ') is int i and >= 0 ? (text[..i], text[(i + 1)..]) : (text, "");

    [Operator] public Task<(int Count, string First, string Last)> Measure(string text, CancellationToken ct)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Task.FromResult((words.Length, words.FirstOrDefault() ?? "", words.LastOrDefault() ?? ""));
    }

    [Operator] public string Join(string head, string last, int count) => $"{head}|{last}|{count}";
}
