using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>
/// A branching agent: a safety check with an early return, a tool path with if/else, and a final ternary return.
/// Every operator logs its call, so a test can compare what the runtime ran with what the C# flow runs.
/// </summary>
[AgentGraph(LatencySlaMs = 1_000)]
public partial class RouterGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public async Task<string> Handle(string request, CancellationToken ct)
    {
        var intent = Classify(request);
        if (!await IsSafe(request, ct))
        {
            Audit("unsafe");
            return Refuse(request);
        }

        if (NeedsTool(intent))
        {
            var data = await CallTool(intent, ct);
            if (IsEmpty(data))
            {
                return Refuse(data);
            }

            return await Answer(request, data, ct);
        }
        else
        {
            Audit("direct");
        }

        return IsShort(request) ? Echo(request) : await Answer(request, intent, ct);
    }

    [Operator] public string Classify(string s) { Log.Enqueue("Classify"); return s.Trim().ToLowerInvariant(); }

    [Operator(OperatorKind.Model)]
    public async Task<bool> IsSafe(string s, CancellationToken ct) { await Task.Yield(); Log.Enqueue("IsSafe"); return !s.Contains("bomb", StringComparison.Ordinal); }

    [Operator] public bool NeedsTool(string intent) { Log.Enqueue("NeedsTool"); return intent.StartsWith("weather", StringComparison.Ordinal); }

    [Operator] public bool IsEmpty(string s) { Log.Enqueue("IsEmpty"); return s.Length == 0; }

    [Operator] public bool IsShort(string s) { Log.Enqueue("IsShort"); return s.Length < 6; }

    [Operator(OperatorKind.Tool)]
    public async Task<string> CallTool(string intent, CancellationToken ct) { await Task.Yield(); Log.Enqueue("CallTool"); return intent.Length > 8 ? "sunny" : string.Empty; }

    [Operator(OperatorKind.Llm)]
    public Task<string> Answer(string q, string context, CancellationToken ct) { Log.Enqueue("Answer"); return Task.FromResult($"{q}:{context}"); }

    [Operator] public string Refuse(string s) { Log.Enqueue("Refuse"); return "refused:" + s; }

    [Operator] public string Echo(string s) { Log.Enqueue("Echo"); return s; }

    [Operator] public void Audit(string s) => Log.Enqueue("Audit:" + s);
}
