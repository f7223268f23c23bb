using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>Issue 12, point 7: a switch inside an if arm, a parenthesised argument and constant returns.</summary>
[AgentGraph]
public partial class ShapesGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public async Task<string> Run(string input, CancellationToken ct)
    {
        var a = Normalize(input);
        if (IsBlocked(a))
        {
            return "blocked";
        }

        if (IsLong(a))
        {
            switch (Bucket(a))
            {
                case 0:
                    Audit(a);
                    break;
                case 1:
                    a = Shorten(a);
                    break;
                default:
                    a = Join((Split(a)));
                    break;
            }
        }

        var checkedText = await Finish(a, ct);
        return IsEmpty(checkedText) ? "empty" : checkedText;
    }

    [Operator] public string Normalize(string s) { Log.Enqueue("Normalize"); return s.Trim(); }

    [Operator] public bool IsBlocked(string s) { Log.Enqueue("IsBlocked"); return s.Contains("bomb", StringComparison.Ordinal); }

    [Operator] public bool IsLong(string s) { Log.Enqueue("IsLong"); return s.Length > 5; }

    [Operator] public int Bucket(string s) { Log.Enqueue("Bucket"); return s.Length % 3; }

    [Operator] public void Audit(string s) => Log.Enqueue("Audit");

    [Operator] public string Shorten(string s) { Log.Enqueue("Shorten"); return s[..5]; }

    [Operator] public string[] Split(string s) { Log.Enqueue("Split"); return s.Split(' '); }

    [Operator] public string Join(string[] parts) { Log.Enqueue("Join"); return string.Join("+", parts); }

    [Operator] public Task<string> Finish(string s, CancellationToken ct) { Log.Enqueue("Finish"); return Task.FromResult(s == "none" ? "" : s + "."); }

    [Operator] public bool IsEmpty(string s) { Log.Enqueue("IsEmpty"); return s.Length == 0; }
}

/// <summary>A flow that returns a constant and nothing else.</summary>
[AgentGraph]
public partial class ConstantGraph
{
    [Flow]
    public int Run(int n) => 42;
}
