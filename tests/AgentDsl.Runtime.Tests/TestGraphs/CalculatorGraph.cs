using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>
/// Exercises the flow language: nested calls, repeated and static operators, constants, ValueTask,
/// void and Task operators whose results nobody reads, and a CancellationToken passed as 'default'.
/// </summary>
[AgentGraph(LatencySlaMs = 1_000, Name = "calculator")]
public partial class CalculatorGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public async Task<double> Compute(int a, int b, CancellationToken ct)
    {
        const int Offset = 7;
        var sum = Add(Square(a), Square(b));
        var scaled = await Scale(sum, 0.5, ct);
        Record("scaled");
        await RecordAsync("async", default);
        return Shift(scaled, Offset);
    }

    [Operator] public static int Square(int x) => x * x;

    [Operator] public int Add(int x, int y) => x + y;

    [Operator(OperatorKind.Model, Flops = 2)]
    public ValueTask<double> Scale(int x, double factor, CancellationToken ct) => new(x * factor);

    [Operator] public void Record(string what) => Log.Enqueue(what);

    [Operator(OperatorKind.Tool)]
    public Task RecordAsync(string what, CancellationToken ct)
    {
        Log.Enqueue(what);
        return Task.CompletedTask;
    }

    [Operator] public double Shift(double x, long by) => x + by;
}
