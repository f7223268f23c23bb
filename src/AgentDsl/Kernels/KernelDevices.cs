namespace AgentDsl.Kernels;

/// <summary>
/// The kernel devices of the process, in order of preference (GPUs, then accelerators, then OpenCL
/// CPUs, then the managed device), and the ambient device of the running node.
/// </summary>
public sealed class KernelDevices
{
    private static readonly AsyncLocal<IKernelDevice?> s_current = new();
    private readonly List<IKernelDevice> _devices;
    private readonly HashSet<IKernelDevice> _failed = [];
    private readonly Action<IKernelDevice, Exception>? _onDeviceFailed;

    /// <summary>Creates the set; the managed device is always last.</summary>
    /// <param name="devices">Devices besides the managed one.</param>
    /// <param name="onDeviceFailed">Called once when a device fails and is taken out.</param>
    public KernelDevices(IEnumerable<IKernelDevice> devices, Action<IKernelDevice, Exception>? onDeviceFailed = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        _devices = [.. devices.Where(d => d is not ManagedKernelDevice).OrderBy(d => d.Kind switch { DeviceKinds.Gpu => 0, DeviceKinds.Accelerator => 1, _ => 2 }), ManagedKernelDevice.Instance];
        _onDeviceFailed = onDeviceFailed;
    }

    /// <summary>The device a runtime device set for the node running on this async flow, if any.</summary>
    public static IKernelDevice? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>All devices, in preference order; the managed device last.</summary>
    public IReadOnlyList<IKernelDevice> All => _devices;

    /// <summary>The preferred healthy device that supports <paramref name="kernel"/>: the ambient one if it does, else the first in order.</summary>
    public IKernelDevice For(KernelDefinition kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (Current is { } current && current.Supports(kernel) && !IsFailed(current))
        {
            return current;
        }

        foreach (var device in _devices)
        {
            if (!IsFailed(device) && device.Supports(kernel))
            {
                return device;
            }
        }

        return ManagedKernelDevice.Instance;
    }

    /// <summary>
    /// Launches on the preferred device; if that device fails (<see cref="KernelDeviceException"/>),
    /// takes it out, reports it, and runs the launch on the next device, down to the managed one.
    /// </summary>
    /// <param name="kernel">The kernel, to choose a device.</param>
    /// <param name="launch">Launches the kernel on the given device.</param>
    /// <returns>The device that ran it.</returns>
    public async ValueTask<IKernelDevice> LaunchAsync(KernelDefinition kernel, Func<IKernelDevice, ValueTask> launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        while (true)
        {
            var device = For(kernel);
            try
            {
                await launch(device).ConfigureAwait(false);
                return device;
            }
            catch (KernelDeviceException ex) when (device is not ManagedKernelDevice)
            {
                MarkFailed(device, ex);
            }
        }
    }

    /// <summary>Takes a device out (until <see cref="Restore"/>).</summary>
    public void MarkFailed(IKernelDevice device, Exception reason)
    {
        bool added;
        lock (_failed)
        {
            added = _failed.Add(device);
        }

        if (added)
        {
            _onDeviceFailed?.Invoke(device, reason);
        }
    }

    /// <summary>Puts a failed device back in service.</summary>
    public void Restore(IKernelDevice device)
    {
        lock (_failed)
        {
            _failed.Remove(device);
        }
    }

    /// <summary>Whether a device has been taken out.</summary>
    public bool IsFailed(IKernelDevice device)
    {
        lock (_failed)
        {
            return _failed.Contains(device);
        }
    }
}
