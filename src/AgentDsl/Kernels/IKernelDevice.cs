using System.Runtime.CompilerServices;

namespace AgentDsl.Kernels;

/// <summary>A device that runs kernels: the managed reference device, or an OpenCL device.</summary>
public interface IKernelDevice
{
    /// <summary>A unique name, for example <c>managed</c> or <c>opencl:0:0 (pthread-…)</c>.</summary>
    string Name { get; }

    /// <summary>The device class.</summary>
    DeviceKinds Kind { get; }

    /// <summary>Whether the device offers what <paramref name="kernel"/> requires (fp64, fp16, work-groups).</summary>
    bool Supports(KernelDefinition kernel);

    /// <summary>Compiles <paramref name="kernel"/> ahead of its first launch (a no-op where nothing is compiled).</summary>
    ValueTask PrepareAsync(KernelDefinition kernel, CancellationToken cancellationToken = default);

    /// <summary>Runs a launch; completes when the kernel has finished and buffers made from arrays are synchronised.</summary>
    ValueTask LaunchAsync(KernelLaunch launch, CancellationToken cancellationToken = default);
}
