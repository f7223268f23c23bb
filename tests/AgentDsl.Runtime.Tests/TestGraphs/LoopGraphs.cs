using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>An agent ⇄ tool loop: revise a draft until it is good, at most four times.</summary>
[AgentGraph(LatencySlaMs = 2_000)]
public partial class ToolLoopGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow(MaxIterations = 4)]
    public async Task<string> Solve(string task, CancellationToken ct)
    {
        var draft = await Draft(task, ct);
        while (!await IsGood(draft, ct))
        {
            var feedback = await CallTool(draft, ct);
            draft = await Revise(draft, feedback, ct);
        }

        return Finish(draft);
    }

    [Operator(OperatorKind.Llm)]
    public Task<string> Draft(string task, CancellationToken ct) { Log.Enqueue("Draft"); return Task.FromResult(task); }

    /// <summary>Good once the draft carries as many '+' as its first character's digit says.</summary>
    [Operator(OperatorKind.Model, TrueProbability = 0.5)]
    public async Task<bool> IsGood(string draft, CancellationToken ct)
    {
        await Task.Yield();
        Log.Enqueue("IsGood");
        return draft.Count(c => c == '+') >= draft[0] - '0';
    }

    [Operator(OperatorKind.Tool)]
    public Task<string> CallTool(string draft, CancellationToken ct) { Log.Enqueue("CallTool"); return Task.FromResult("+"); }

    [Operator(OperatorKind.Llm)]
    public Task<string> Revise(string draft, string feedback, CancellationToken ct) { Log.Enqueue("Revise"); return Task.FromResult(draft + feedback); }

    [Operator] public string Finish(string draft) { Log.Enqueue("Finish"); return "done:" + draft; }
}

/// <summary>A for loop with constant bounds, the counter as an argument, a break, and an if that reassigns a local.</summary>
[AgentGraph]
public partial class RetryGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public string Run(string q)
    {
        var text = Normalize(q);
        if (IsLong(text))
        {
            text = Shorten(text);
        }

        string answer = Attempt(text, 0);
        for (int i = 1; i <= 3; i++)
        {
            if (Accept(answer))
            {
                break;
            }

            answer = Attempt(text, i);
        }

        return answer;
    }

    [Operator] public string Normalize(string q) { Log.Enqueue("Normalize"); return q.Trim(); }

    [Operator] public bool IsLong(string s) { Log.Enqueue("IsLong"); return s.Length > 8; }

    [Operator] public string Shorten(string s) { Log.Enqueue("Shorten"); return s[..8]; }

    /// <summary>Attempt i succeeds when i reaches the number of 'x' in the text.</summary>
    [Operator] public string Attempt(string text, int i) { Log.Enqueue("Attempt" + i); return i >= text.Count(c => c == 'x') ? $"ok@{i}" : $"no@{i}"; }

    [Operator] public bool Accept(string answer) { Log.Enqueue("Accept"); return answer.StartsWith("ok", StringComparison.Ordinal); }
}
