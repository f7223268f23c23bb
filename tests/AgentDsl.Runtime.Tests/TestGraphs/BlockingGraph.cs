using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>One operator that waits until cancelled, and a GPU-only operator in another graph.</summary>
[AgentGraph]
public partial class BlockingGraph
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<CancellationToken> SawCancellation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Flow]
    public Task<string> Run(string s, CancellationToken ct) => Wait(s, ct);

    [Operator(OperatorKind.Tool)]
    public async Task<string> Wait(string s, CancellationToken ct)
    {
        Started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            SawCancellation.TrySetResult(ct);
            throw;
        }

        return s;
    }
}

[AgentGraph]
public partial class GpuOnlyGraph
{
    [Flow]
    public float[] Run(float[] x) => Gemm(x);

    [Operator(OperatorKind.Kernel, AllowedDevices = DeviceKinds.Gpu)]
    public float[] Gemm(float[] x) => x;
}

/// <summary>Sync CPU operators on parallel branches, for the concurrency limit.</summary>
[AgentGraph]
public partial class FanGraph
{
    private int _running;

    public int MaxObserved { get; private set; }

    [Flow]
    public int Run(int x) => Sum4(Work(x), Work(x), Work(x), Work(x));

    [Operator]
    public int Work(int x)
    {
        int now = Interlocked.Increment(ref _running);
        lock (this)
        {
            MaxObserved = Math.Max(MaxObserved, now);
        }

        Thread.Sleep(30);
        Interlocked.Decrement(ref _running);
        return x;
    }

    [Operator] public int Sum4(int a, int b, int c, int d) => a + b + c + d;
}
