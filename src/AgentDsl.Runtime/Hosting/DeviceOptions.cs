using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>Settings of one device.</summary>
public sealed class DeviceOptions
{
    /// <summary>Nodes the device runs at once; 0 keeps the device's own figure.</summary>
    [Range(0, 1_000_000)]
    public int MaxConcurrency { get; set; }

    /// <summary>What an hour of the device costs, in US dollars; overrides the device's own figure. Busy time at this price is the cost per request.</summary>
    [Range(0, 1_000_000)]
    public double? HourlyCostUsd { get; set; }

    /// <summary>
    /// The device type whose figures (peak FLOP/s, bandwidth, memory, links) the cost model uses for this device: a device
    /// of <see cref="AgentDslOptions.HardwareProfile"/>, else of the shipped hardware catalog (for example <c>H100-SXM</c>).
    /// </summary>
    public string? Catalog { get; set; }
}
