using AgentDsl.Kernels;

namespace AgentDsl.Devices;

/// <summary>A set of devices found at run time (for example every OpenCL device of the machine).</summary>
public interface IDeviceSource
{
    /// <summary>Devices that run graph nodes.</summary>
    IReadOnlyList<IAgentDevice> AgentDevices { get; }

    /// <summary>Devices that run kernels.</summary>
    IReadOnlyList<IKernelDevice> KernelDevices { get; }
}
