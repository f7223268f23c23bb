namespace AgentDsl.Kernels;

/// <summary>
/// A device failed (lost, out of resources, a driver error) rather than the kernel's own code: the
/// runtime may take the device out and run the kernel elsewhere.
/// </summary>
public sealed class KernelDeviceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelDeviceException(string device, string message, Exception? innerException = null)
        : base($"Device '{device}' failed: {message}", innerException)
    {
        Device = device;
    }

    /// <summary>The device.</summary>
    public string Device { get; }
}
