using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A local reassigned only in the else arm (issue 12, point 1): the runtime must return the revised draft.</summary>
[AgentGraph]
public partial class ElseReassignGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public async Task<string> Handle(string q, CancellationToken ct)
    {
        var draft = await Draft(q, ct);
        if (await IsGood(draft, ct)) { Audit(draft); } else { draft = await Revise(draft, ct); }
        return draft;
    }

    [Operator] public Task<string> Draft(string q, CancellationToken ct) { Log.Enqueue("Draft"); return Task.FromResult("draft of " + q); }

    [Operator] public Task<bool> IsGood(string draft, CancellationToken ct) { Log.Enqueue("IsGood"); return Task.FromResult(draft.Contains("good", StringComparison.Ordinal)); }

    [Operator] public void Audit(string draft) => Log.Enqueue("Audit");

    [Operator] public Task<string> Revise(string draft, CancellationToken ct) { Log.Enqueue("Revise"); return Task.FromResult(draft + " (revised)"); }
}

/// <summary>The second shape: an empty then arm, the else reassigns.</summary>
[AgentGraph]
public partial class EmptyThenGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public int Run(int q)
    {
        var v = B(q, 2);
        if (P(q)) { } else { v = Num(1); }
        return v;
    }

    [Operator] public int B(int q, int k) { Log.Enqueue("B"); return q * k; }

    [Operator] public bool P(int q) { Log.Enqueue("P"); return q % 2 == 0; }

    [Operator] public int Num(int n) { Log.Enqueue("Num"); return n + 1000; }
}

/// <summary>A switch whose first section keeps the local and whose second and default sections reassign it.</summary>
[AgentGraph]
public partial class LateSectionSwitchGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public string Run(int n)
    {
        var text = Start(n);
        switch (Bucket(n))
        {
            case 0:
                Note(text);
                break;
            case 1:
                text = Second(text);
                break;
            default:
                text = Other(text);
                break;
        }

        return text;
    }

    [Operator] public string Start(int n) { Log.Enqueue("Start"); return "n" + n; }

    [Operator] public int Bucket(int n) { Log.Enqueue("Bucket"); return n % 3; }

    [Operator] public void Note(string text) => Log.Enqueue("Note");

    [Operator] public string Second(string text) { Log.Enqueue("Second"); return text + "/second"; }

    [Operator] public string Other(string text) { Log.Enqueue("Other"); return text + "/other"; }
}
