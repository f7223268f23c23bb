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

/// <summary>One operator on a simulated accelerator, SLA 150 ms at p99 (admission at the SLA's percentile).</summary>
[AgentGraph(LatencySlaMs = 150, Percentile = 0.99)]
public partial class PercentileGraph
{
    [Flow]
    public Task<int> Run(int x, CancellationToken ct) => Step(x, ct);

    [Operator(OperatorKind.Model, AllowedDevices = DeviceKinds.Accelerator)]
    public Task<int> Step(int x, CancellationToken ct) => Task.FromResult(x);
}

/// <summary>A synchronous operator that keeps a core busy for 20 ms, counting how many run at once.</summary>
[AgentGraph(LatencySlaMs = 100)]
public partial class SpinGraph
{
    private int _running;
    private int _maxRunning;

    /// <summary>The most runs of <see cref="Spin"/> seen at once since the last <see cref="ResetMaxRunning"/>.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public void ResetMaxRunning() => Volatile.Write(ref _maxRunning, 0);

    [Flow]
    public int Run(int x) => Spin(x);

    [Operator]
    public int Spin(int x)
    {
        int running = Interlocked.Increment(ref _running);
        for (int seen = Volatile.Read(ref _maxRunning); running > seen; seen = Volatile.Read(ref _maxRunning))
        {
            Interlocked.CompareExchange(ref _maxRunning, running, seen);
        }

        long end = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 50);
        while (Stopwatch.GetTimestamp() < end)
        {
            Thread.SpinWait(20);
        }

        Interlocked.Decrement(ref _running);
        return x;
    }
}
