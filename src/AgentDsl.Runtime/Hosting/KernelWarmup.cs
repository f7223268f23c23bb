using AgentDsl.Telemetry;
using AgentDsl.Kernels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Hosting;

/// <summary>
/// Compiles every registered kernel for every kernel device while the host starts, so the first
/// request does not pay for it. A kernel that fails to build fails the start-up with its build log.
/// </summary>
internal sealed partial class KernelWarmup(KernelDevices devices, ILogger<KernelWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kernels = KernelRegistry.All;
        LogDevices(string.Join("; ", devices.All.Select(d => d.Name)));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var builds = new List<Task>();
        foreach (var device in devices.All)
        {
            foreach (var kernel in kernels.Where(device.Supports))
            {
                builds.Add(device.PrepareAsync(kernel, cancellationToken).AsTask());
            }
        }

        await Task.WhenAll(builds).ConfigureAwait(false);
        if (kernels.Count > 0)
        {
            LogKernelsPrepared(kernels.Count, devices.All.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = AgentDslEventIds.DevicesDiscovered, Level = LogLevel.Debug, Message = "Kernel devices, in order of preference: {Devices}")]
    private partial void LogDevices(string devices);

    [LoggerMessage(EventId = AgentDslEventIds.KernelsPrepared, Level = LogLevel.Debug, Message = "{KernelCount} kernels prepared on {DeviceCount} devices in {ElapsedMs} ms")]
    private partial void LogKernelsPrepared(int kernelCount, int deviceCount, double elapsedMs);
}

/// <summary>Logs a kernel device taken out of service.</summary>
internal static partial class KernelDeviceLog
{
    public static Action<IKernelDevice, Exception> OnDeviceFailed(ILogger logger) => (device, exception) => LogDeviceFailed(logger, exception, device.Name);

    [LoggerMessage(EventId = AgentDslEventIds.KernelDeviceFailed, Level = LogLevel.Error, Message = "Kernel device {Device} failed and was taken out; its kernels run on the next device")]
    private static partial void LogDeviceFailed(ILogger logger, Exception exception, string device);
}
