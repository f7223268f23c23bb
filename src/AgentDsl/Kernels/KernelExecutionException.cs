namespace AgentDsl.Kernels;

/// <summary>A kernel failed while running; names the C# kernel and the device.</summary>
public sealed class KernelExecutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelExecutionException(string kernel, string device, Exception? innerException, string? detail = null)
        : base($"Kernel '{kernel}' failed on device '{device}': {detail ?? innerException?.Message}", innerException)
    {
        Kernel = kernel;
        Device = device;
    }

    /// <summary>The C# kernel name.</summary>
    public string Kernel { get; }

    /// <summary>The device.</summary>
    public string Device { get; }
}
