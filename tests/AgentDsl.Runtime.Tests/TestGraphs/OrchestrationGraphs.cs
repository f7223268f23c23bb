using AgentDsl;
using AgentDsl.Devices;
using AgentDsl.Ir;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A model operator that runs on a GPU or an accelerator (safe to retry), then a CPU step.</summary>
[AgentGraph(LatencySlaMs = 2000)]
public partial class AcceleratedGraph
{
    [Flow]
    public async Task<int> Run(int x, CancellationToken ct)
    {
        int y = await Accelerate(x, ct);
        return Finish(y);
    }

    [Operator(OperatorKind.Model, AllowedDevices = DeviceKinds.Gpu | DeviceKinds.Accelerator, PreferredDevices = DeviceKinds.Gpu, SafeToRetry = true)]
    public Task<int> Accelerate(int x, CancellationToken ct) => Task.FromResult(x * 2);

    [Operator]
    public int Finish(int y) => y + 1;
}

/// <summary>The same shape, but the model operator is not safe to retry.</summary>
[AgentGraph(LatencySlaMs = 2000)]
public partial class UnretriedGraph
{
    [Flow]
    public async Task<int> Run(int x, CancellationToken ct)
    {
        int y = await Accelerate(x, ct);
        return Finish(y);
    }

    [Operator(OperatorKind.Model, AllowedDevices = DeviceKinds.Gpu | DeviceKinds.Accelerator, PreferredDevices = DeviceKinds.Gpu)]
    public Task<int> Accelerate(int x, CancellationToken ct) => Task.FromResult(x * 2);

    [Operator]
    public int Finish(int y) => y + 1;
}

/// <summary>One operator on a capacity-one simulated device, with a tight SLA (admission and EDF tests).</summary>
[AgentGraph(LatencySlaMs = 150)]
public partial class TightGraph
{
    [Flow]
    public Task<int> Run(int x, CancellationToken ct) => Step(x, ct);

    [Operator(OperatorKind.Model, AllowedDevices = DeviceKinds.Accelerator)]
    public Task<int> Step(int x, CancellationToken ct) => Task.FromResult(x);
}

/// <summary>How a <see cref="SimDevice"/> misbehaves.</summary>
public enum FaultMode
{
    None,
    Throw,
    Hang,
    Slow,
    Unavailable,

    /// <summary>Waits until cancelled, observing the token.</summary>
    HangObserving,

    /// <summary>Blocks its thread synchronously (for <see cref="SimDevice.HangFor"/>), then runs.</summary>
    BlockSync,
}

/// <summary>
/// A simulated accelerator: adds its own latency to each node, runs a bounded number at once, and can be told to
/// throw, hang (ignoring cancellation, or observing it), block its thread, run ten times slower, or report itself
/// unplugged — for every node (<see cref="Mode"/>) or per node run (<see cref="Faults"/>).
/// </summary>
public sealed class SimDevice(string name, DeviceKinds kind, double latencyMs, int concurrency = 4) : IAgentDevice
{
    private int _calls;
    private volatile FaultMode _mode;

    public DeviceDescriptor Descriptor { get; } = new(name, kind) { MaxConcurrency = concurrency, HourlyCostUsd = 3.6 };

    public FaultMode Mode
    {
        get => _mode;
        set => _mode = value;
    }

    public double LatencyMs { get; set; } = latencyMs;

    /// <summary>When set, draws each run's latency instead of <see cref="LatencyMs"/> (called under a lock).</summary>
    public Func<double>? DrawLatencyMs { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Request ids in the order their nodes started on this device.</summary>
    public List<long> Started { get; } = [];

    public TaskCompletionSource? Gate { get; set; }

    /// <summary>How long <see cref="FaultMode.Hang"/> ignores its token before it returns, and <see cref="FaultMode.BlockSync"/> blocks; null: hang forever.</summary>
    public TimeSpan? HangFor { get; set; }

    /// <summary>The fault of each node run (overrides <see cref="Mode"/>).</summary>
    public Func<NodeWork, FaultMode>? Faults { get; set; }

    public bool CanRun(NodeDefinition node) => (node.Cost.AllowedDevices & Descriptor.Kind) != 0;

    public async ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        lock (Started)
        {
            Started.Add(work.RequestId);
        }

        var mode = Faults?.Invoke(work) ?? _mode;
        switch (mode)
        {
            case FaultMode.Throw:
                throw new InvalidOperationException($"{Descriptor.Name}: injected fault");
            case FaultMode.Unavailable:
                throw new DeviceUnavailableException(Descriptor.Name, "unplugged");
            case FaultMode.Hang when HangFor is { } hangFor:
                await Task.Delay(hangFor, CancellationToken.None).ConfigureAwait(false); // ignores cancellation, returns late
                break;
            case FaultMode.Hang:
                await new TaskCompletionSource().Task.ConfigureAwait(false); // never completes, ignores cancellation
                break;
            case FaultMode.HangObserving:
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                break;
            case FaultMode.BlockSync:
                await Task.Yield(); // on a thread of its own, as a device's worker would be
                Thread.Sleep(HangFor ?? TimeSpan.FromSeconds(1));
                break;
        }

        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        double latency = LatencyMs;
        if (DrawLatencyMs is { } draw)
        {
            lock (draw)
            {
                latency = draw();
            }
        }

        double ms = mode == FaultMode.Slow ? latency * 10 : latency;
        if (ms > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(ms), cancellationToken).ConfigureAwait(false);
        }

        await work.InvokeManagedAsync(cancellationToken).ConfigureAwait(false);
    }
}
