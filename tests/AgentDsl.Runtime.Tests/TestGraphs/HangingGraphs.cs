using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A synchronous operator that blocks its thread until released (it cannot observe a token).</summary>
[AgentGraph]
public partial class SyncBlockGraph
{
    public ManualResetEventSlim Release { get; } = new();

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Flow]
    public string Run(string s) => Block(s);

    [Operator]
    public string Block(string s)
    {
        Started.TrySetResult();
        Release.Wait(TimeSpan.FromSeconds(30)); // bounded: a broken test must not hang the run
        return s;
    }
}

/// <summary>
/// No SLA: an asynchronous first step that, when told, hangs ignoring its token (until released), then a second step
/// that records whether it ran.
/// </summary>
[AgentGraph]
public partial class IgnoringGraph
{
    public volatile TaskCompletionSource? Hold;

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int ThenRan;

    [Flow]
    public async Task<int> Run(int x, CancellationToken ct)
    {
        int y = await Stall(x, ct);
        return Then(y);
    }

    [Operator(OperatorKind.Tool)]
    public async Task<int> Stall(int x, CancellationToken ct)
    {
        Started.TrySetResult();
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false); // ignores ct
        }

        return x;
    }

    [Operator]
    public int Then(int y)
    {
        Interlocked.Increment(ref ThenRan);
        return y + 1;
    }
}

/// <summary>A short SLA and a model operator that is safe to retry (on a simulated accelerator), for retries inside the deadline.</summary>
[AgentGraph(LatencySlaMs = 300)]
public partial class RetriedGraph
{
    [Flow]
    public Task<int> Run(int x, CancellationToken ct) => Accelerate(x, ct);

    [Operator(OperatorKind.Model, AllowedDevices = DeviceKinds.Accelerator, SafeToRetry = true)]
    public Task<int> Accelerate(int x, CancellationToken ct) => Task.FromResult(x * 2);
}

/// <summary>Producers that return null against their declared result type, and one whose result may be null.</summary>
[AgentGraph]
public partial class NullResultGraph
{
    public int LenRan;

    [Flow]
    public async Task<int> Run(string s, CancellationToken ct)
    {
        var maybe = Maybe(s);
        var made = await MakeAsync(s, ct);
        var copied = Copy(made);
        return Add(Len(copied), LenOrZero(maybe));
    }

    [Operator] public int Add(int a, int b) => a + b;

    [Operator] public string? Maybe(string s) => s == "null" ? null : s;

    [Operator(OperatorKind.Tool)]
    public Task<string> MakeAsync(string s, CancellationToken ct) => Task.FromResult(s == "null" ? null! : s);

    [Operator] public string Copy(string s) => s == "sync-null" ? null! : s;

    [Operator]
    public int Len(string s)
    {
        Interlocked.Increment(ref LenRan);
        return s.Length;
    }

    [Operator] public int LenOrZero(string? s) => s?.Length ?? 0;
}

/// <summary>
/// The soak graph, without an SLA (each request brings its budget): an asynchronous step that yields (so the caller
/// has its task before anything can block), a model step on a simulated accelerator (where faults are injected),
/// and a synchronous CPU step.
/// </summary>
[AgentGraph]
public partial class SoakGraph
{
    [Flow]
    public async Task<int> Run(int x, CancellationToken ct)
    {
        int y = await Prepare(x, ct);
        int z = await Accelerate(y, ct);
        return Finish(z);
    }

    [Operator(OperatorKind.Tool)]
    public async Task<int> Prepare(int x, CancellationToken ct)
    {
        await Task.Yield();
        return x;
    }

    [Operator(OperatorKind.Model, AllowedDevices = DeviceKinds.Accelerator, SafeToRetry = true)]
    public Task<int> Accelerate(int x, CancellationToken ct) => Task.FromResult(x * 2);

    [Operator]
    public int Finish(int y) => y + 1;
}
