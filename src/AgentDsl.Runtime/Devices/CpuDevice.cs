using AgentDsl.Kernels;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using Microsoft.Extensions.Options;

namespace AgentDsl.Devices;

/// <summary>
/// The managed CPU device: runs an operator's C# code through the generated invoker. It can run every
/// node whose allowed device kinds include <see cref="DeviceKinds.Cpu"/>. Its concurrency
/// (<see cref="AgentDslOptions.CpuMaxConcurrency"/>) is enforced by the runtime's queue in front of it.
/// </summary>
public sealed class CpuDevice : IAgentDevice
{
    /// <summary>The device name: <c>cpu</c>.</summary>
    public const string DeviceName = "cpu";

    /// <summary>Creates the CPU device.</summary>
    public CpuDevice(IOptions<AgentDslOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int limit = options.Value.CpuMaxConcurrency;
        var descriptor = new DeviceDescriptor(DeviceName, DeviceKinds.Cpu)
        {
            ComputeUnits = Environment.ProcessorCount,
            MaxConcurrency = limit > 0 ? limit : int.MaxValue,
            MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        };
        Descriptor = descriptor with { Figures = DeviceFigureSource.Of(options.Value).For(descriptor) ?? DefaultFigures(descriptor.ComputeUnits, descriptor.MemoryBytes) };
    }

    /// <summary>Peak FP32 GFLOP/s per core assumed without a profile: half of what a 3 GHz core with two 8-wide FMA units peaks at (96), as operators rarely vectorise fully.</summary>
    public const double DefaultGflopsPerCore = 48;

    /// <summary>Memory bandwidth assumed without a profile, GB/s: one DDR4-3200 channel (25.6 GB/s) less what other processes take.</summary>
    public const double DefaultMemoryBandwidthGBs = 20;

    /// <summary>
    /// The stated conservative figures of a CPU without a profile entry: <see cref="DefaultGflopsPerCore"/> per core at FP32
    /// and at FP16 (no native half-precision arithmetic assumed), <see cref="DefaultMemoryBandwidthGBs"/>, 1 µs per operator
    /// launch (a managed call), no link (it is the host).
    /// </summary>
    public static DeviceFigures DefaultFigures(int cores, double memoryBytes) => new()
    {
        Source = "default",
        Fp32Tflops = cores * DefaultGflopsPerCore / 1000,
        Fp16Tflops = cores * DefaultGflopsPerCore / 1000,
        MemoryBandwidthGBs = DefaultMemoryBandwidthGBs,
        MemoryGB = memoryBytes / 1e9,
        LaunchOverheadUs = 1,
    };

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return (node.Cost.AllowedDevices & DeviceKinds.Cpu) != 0;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Data-parallel nodes (kinds <c>Kernel</c>, <c>Model</c>, <c>Memory</c>) placed here run their kernels on the
    /// managed kernel device, so placing a node on the CPU means its kernels run on the CPU too.
    /// </remarks>
    public ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunsKernels(work.Node) ? RunWithManagedKernelsAsync(work, cancellationToken) : work.InvokeManagedAsync(cancellationToken);
    }

    /// <summary>Whether the node is data-parallel (kinds <c>Kernel</c>, <c>Model</c>, <c>Memory</c>): its kernels must run on the managed kernel device here.</summary>
    internal static bool RunsKernels(NodeDefinition node) => node.Kind is OperatorKind.Kernel or OperatorKind.Model or OperatorKind.Memory;

    private static async ValueTask RunWithManagedKernelsAsync(NodeWork work, CancellationToken cancellationToken)
    {
        var previous = KernelDevices.Current;
        KernelDevices.Current = ManagedKernelDevice.Instance;
        try
        {
            await work.InvokeManagedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            KernelDevices.Current = previous;
        }
    }
}
