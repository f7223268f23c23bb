namespace AgentDsl.Devices;

/// <summary>
/// Thrown by a device that cannot take work at all (lost, disconnected, shut down). The runtime takes the device out
/// of service at once, re-plans, and runs the node elsewhere: the node did not start, so this is retried even for
/// operators that are not <c>SafeToRetry</c>.
/// </summary>
public sealed class DeviceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="device">The device name.</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DeviceUnavailableException(string device, string message, Exception? innerException = null)
        : base($"Device '{device}' is unavailable: {message}", innerException)
    {
        Device = device;
    }

    /// <summary>The device name.</summary>
    public string Device { get; }
}
