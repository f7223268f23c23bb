using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>Boom throws while Slow is running in parallel; Slow must see the cancellation.</summary>
[AgentGraph]
public partial class FailingGraph
{
    public static readonly InvalidOperationException Failure = new("the tool is down");

    public TaskCompletionSource SlowCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int AfterRan { get; private set; }

    [Flow]
    public async Task<int> Run(int x, CancellationToken ct)
    {
        var slow = Slow(x, ct);
        var boom = await Boom(x, ct);
        var after = After(boom);
        await Task.WhenAll(slow);
        return Add(after, await slow);
    }

    [Operator(OperatorKind.Tool)]
    public async Task<int> Slow(int x, CancellationToken ct)
    {
        SlowStarted.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
            return x;
        }
        catch (OperationCanceledException)
        {
            SlowCancelled.TrySetResult();
            throw;
        }
    }

    [Operator(OperatorKind.Tool)]
    public async Task<int> Boom(int x, CancellationToken ct)
    {
        await SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        throw Failure;
    }

    [Operator] public int After(int x) { AfterRan++; return x; }

    [Operator] public int Add(int a, int b) => a + b;
}
