using System.Diagnostics;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>An operator on the default CPU device that awaits a 200 ms remote call: awaited time, not CPU work.</summary>
[AgentGraph(LatencySlaMs = 1000)]
public partial class RemoteCallGraph
{
    [Flow]
    public Task<int> Run(int x, CancellationToken ct) => Call(x, ct);

    [Operator]
    public async Task<int> Call(int x, CancellationToken ct)
    {
        await Task.Delay(200, ct);
        return x + 1;
    }
}

/// <summary>A synchronous operator that keeps a core busy for 20 ms.</summary>
[AgentGraph(LatencySlaMs = 100)]
public partial class SpinGraph
{
    [Flow]
    public int Run(int x) => Spin(x);

    [Operator]
    public int Spin(int x)
    {
        long end = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 50);
        while (Stopwatch.GetTimestamp() < end)
        {
            Thread.SpinWait(20);
        }

        return x;
    }
}
