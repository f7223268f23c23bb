using AgentDsl.Orchestration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentDsl.Http;

/// <summary>
/// Readiness from the runtime's device state: unhealthy while shutting down or with every device out of service,
/// degraded with some out (still served: 200), healthy otherwise.
/// </summary>
internal sealed class AgentRuntimeHealthCheck(AgentRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var devices = runtime.Devices();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["devices"] = devices.Count,
            ["inService"] = devices.Count(d => d.InService),
            ["inFlight"] = runtime.InFlight,
        };
        var outOfService = devices.Where(d => !d.InService).Select(d => d.Name).ToArray();
        var result = runtime.Stopping
            ? HealthCheckResult.Unhealthy("The runtime is shutting down.", data: data)
            : outOfService.Length == devices.Count
                ? HealthCheckResult.Unhealthy("No device is in service.", data: data)
                : outOfService.Length > 0
                    ? HealthCheckResult.Degraded("Out of service: " + string.Join(", ", outOfService) + ".", data: data)
                    : HealthCheckResult.Healthy($"{devices.Count} device(s) in service.", data: data);
        return Task.FromResult(result);
    }
}
