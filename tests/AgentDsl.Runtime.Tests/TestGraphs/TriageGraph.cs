using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A flow without a result: an early 'return;' and an else-if chain of side effects.</summary>
[AgentGraph]
public partial class TriageGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public async Task Process(int n, CancellationToken ct)
    {
        if (IsNegative(n))
        {
            Record("negative");
            return;
        }

        if (IsZero(n))
        {
            Record("zero");
        }
        else if (IsSmall(n))
        {
            Record("small");
        }
        else
        {
            Record("large");
        }

        await RecordAsync("done", ct);
    }

    [Operator] public bool IsNegative(int n) => n < 0;

    [Operator] public bool IsZero(int n) => n == 0;

    [Operator] public bool IsSmall(int n) => n < 10;

    [Operator] public void Record(string what) => Log.Enqueue(what);

    [Operator(OperatorKind.Tool)]
    public async Task RecordAsync(string what, CancellationToken ct)
    {
        await Task.Yield();
        Log.Enqueue(what);
    }
}
