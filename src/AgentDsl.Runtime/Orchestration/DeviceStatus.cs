using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.Orchestration;

/// <summary>What a device's queue looks like right now.</summary>
/// <param name="Name">The device name.</param>
/// <param name="Kind">The device class.</param>
/// <param name="Capacity">Nodes it runs at once (<see cref="int.MaxValue"/>: unbounded).</param>
/// <param name="Running">Nodes running now.</param>
/// <param name="QueueLength">Nodes waiting for a slot.</param>
/// <param name="BusySeconds">Busy time since start, summed over slots.</param>
/// <param name="Completed">Node runs completed.</param>
/// <param name="InService">False while the device is taken out after reporting itself unavailable.</param>
public sealed record DeviceStatus(string Name, DeviceKinds Kind, int Capacity, int Running, int QueueLength, double BusySeconds, long Completed, bool InService);
