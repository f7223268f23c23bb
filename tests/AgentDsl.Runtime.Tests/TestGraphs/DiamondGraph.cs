using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>
/// Split → (Left, Right) → Join. Left and Right each wait until both have started: if the runtime ran
/// them one after the other, the first would time out.
/// </summary>
[AgentGraph(LatencySlaMs = 5_000)]
public partial class DiamondGraph
{
    private readonly TaskCompletionSource _leftStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _rightStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TimeSpan RendezvousTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool RequireOverlap { get; set; } = true;

    [Flow]
    public async Task<string> Run(string text, CancellationToken ct)
    {
        var parts = Split(text);
        var left = Left(parts, ct);
        var right = Right(parts, ct);
        await Task.WhenAll(left, right);
        return Join(await left, await right);
    }

    [Operator] public string[] Split(string text) => text.Split(' ');

    [Operator(OperatorKind.Tool)]
    public async Task<string> Left(IReadOnlyList<string> parts, CancellationToken ct)
    {
        _leftStarted.TrySetResult();
        if (RequireOverlap)
        {
            await _rightStarted.Task.WaitAsync(RendezvousTimeout, ct);
        }

        return parts[0].ToUpperInvariant();
    }

    [Operator(OperatorKind.Tool)]
    public async Task<string> Right(IReadOnlyList<string> parts, CancellationToken ct)
    {
        _rightStarted.TrySetResult();
        if (RequireOverlap)
        {
            await _leftStarted.Task.WaitAsync(RendezvousTimeout, ct);
        }

        return parts[^1].ToLowerInvariant();
    }

    [Operator] public string Join(string left, string right) => left + "|" + right;
}
