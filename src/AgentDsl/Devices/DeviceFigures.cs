namespace AgentDsl.Devices;

/// <summary>
/// A device's published or measured capabilities, in the units of the hardware schema (<c>hardware-catalog.json</c>,
/// <c>agentdsl.hardware.json</c>): what the roofline cost model needs to predict a node's time from its cost hints
/// before the node has ever run. All optional: a device without figures is placed on measurements and the prior.
/// </summary>
public sealed record DeviceFigures
{
    /// <summary>Where the figures come from (for example <c>catalog H100-SXM</c>, <c>profile agentdsl.hardware.json</c>, <c>default</c>).</summary>
    public string Source { get; init; } = "";

    /// <summary>Peak FP32 TFLOP/s.</summary>
    public double Fp32Tflops { get; init; }

    /// <summary>Peak dense FP16/BF16 TFLOP/s.</summary>
    public double Fp16Tflops { get; init; }

    /// <summary>Peak dense FP8 TFLOP/s; null without FP8 arithmetic (FP8 work runs at the FP16 rate).</summary>
    public double? Fp8Tflops { get; init; }

    /// <summary>Memory bandwidth, GB/s.</summary>
    public double MemoryBandwidthGBs { get; init; }

    /// <summary>Memory capacity, GB; 0 when unknown.</summary>
    public double MemoryGB { get; init; }

    /// <summary>Host link bandwidth per direction, GB/s; 0 when unknown or for the host itself.</summary>
    public double HostLinkGBs { get; init; }

    /// <summary>Host link latency, µs.</summary>
    public double HostLinkLatencyUs { get; init; }

    /// <summary>Device-to-device link bandwidth per direction, GB/s; null without one.</summary>
    public double? DeviceLinkGBs { get; init; }

    /// <summary>Fixed overhead per operator launch, µs.</summary>
    public double LaunchOverheadUs { get; init; }
}
