using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A graph used as a nested agent.</summary>
[AgentGraph(LatencySlaMs = 1_000)]
public partial class SummarizerGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public async Task<string> Summarize(string text, int words, CancellationToken ct)
    {
        var clean = Clean(text);
        return await Shorten(clean, words, ct);
    }

    [Operator] public string Clean(string text) { Log.Enqueue("Clean"); return text.Trim(); }

    [Operator(OperatorKind.Llm)]
    public async Task<string> Shorten(string text, int words, CancellationToken ct)
    {
        await Task.Yield();
        Log.Enqueue("Shorten");
        if (text.Contains("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("cannot summarize a failure");
        }

        return string.Join(' ', text.Split(' ').Take(words));
    }
}

/// <summary>An agent that calls <see cref="SummarizerGraph"/> as a nested graph, held in a constructor-injected field.</summary>
[AgentGraph(LatencySlaMs = 2_000)]
public partial class ResearchGraph(SummarizerGraph summarizer)
{
    private readonly SummarizerGraph _summarizer = summarizer;

    [Flow]
    public async Task<string> Research(string question, CancellationToken ct)
    {
        var notes = Search(question);
        var summary = await _summarizer.Summarize(notes, 3, ct);
        return Cite(summary, question);
    }

    [Operator(OperatorKind.Tool)] public string Search(string question) => $"  found: {question} is answered here  ";

    [Operator] public string Cite(string summary, string question) => $"{summary} [{question}]";
}
