using AgentDsl.Hosting;
using AgentDsl.Ir;
using Microsoft.Extensions.Options;

namespace AgentDsl.Devices;

/// <summary>
/// The managed CPU device: runs an operator's C# code through the generated invoker. It can run every
/// node whose allowed device kinds include <see cref="DeviceKinds.Cpu"/>.
/// </summary>
public sealed class CpuDevice : IAgentDevice, IDisposable
{
    /// <summary>The device name: <c>cpu</c>.</summary>
    public const string DeviceName = "cpu";

    private readonly SemaphoreSlim? _gate;

    /// <summary>Creates the CPU device.</summary>
    public CpuDevice(IOptions<AgentDslOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int limit = options.Value.CpuMaxConcurrency;
        _gate = limit > 0 ? new SemaphoreSlim(limit, limit) : null;
        Descriptor = new DeviceDescriptor(DeviceName, DeviceKinds.Cpu)
        {
            ComputeUnits = Environment.ProcessorCount,
            MaxConcurrency = limit > 0 ? limit : int.MaxValue,
            MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        };
    }

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return (node.Cost.AllowedDevices & DeviceKinds.Cpu) != 0;
    }

    /// <inheritdoc/>
    public ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _gate is null ? work.InvokeManagedAsync(cancellationToken) : RunGatedAsync(work, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => _gate?.Dispose();

    private async ValueTask RunGatedAsync(NodeWork work, CancellationToken cancellationToken)
    {
        await _gate!.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await work.InvokeManagedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
