namespace AgentDsl.Kernels;

/// <summary>A device could not compile a kernel: carries the C# kernel name, the device and the compiler's build log.</summary>
public sealed class KernelBuildException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelBuildException(string kernel, string device, string buildLog, Exception? innerException = null)
        : base($"Kernel '{kernel}' failed to build on device '{device}':\n{buildLog}", innerException)
    {
        Kernel = kernel;
        Device = device;
        BuildLog = buildLog;
    }

    /// <summary>The C# kernel name (<c>Type.Method</c>).</summary>
    public string Kernel { get; }

    /// <summary>The device.</summary>
    public string Device { get; }

    /// <summary>The OpenCL compiler's build log.</summary>
    public string BuildLog { get; }
}
