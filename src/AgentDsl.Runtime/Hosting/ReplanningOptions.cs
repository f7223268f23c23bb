using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>When the runtime re-plans from measurements.</summary>
public sealed class ReplanningOptions
{
    /// <summary>Re-plan when a node's measured mean on its device grows past this multiple of the mean the plan was made with.</summary>
    [Range(1.1, 1000)]
    public double SlowdownFactor { get; set; } = 3;

    /// <summary>The shortest time between two re-plans of a graph.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Calibration: every this many requests, a node runs on a device that could run it but has not been measured for it
    /// yet (until it has three measurements there), so the planner learns every device's time from real runs; 0 turns
    /// it off (the priors then decide until a re-plan). Only with the built-in planner: a placement policy of your own
    /// is followed as it is.
    /// </summary>
    [Range(0, 1_000_000)]
    public int ExploreEvery { get; set; } = 16;

    /// <summary>A measurement older than this reads as the best the device has done for the node, so devices that slowed down are tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan EstimateLifetime { get; set; } = TimeSpan.FromSeconds(10);
}
