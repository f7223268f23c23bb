namespace AgentDsl.Planning.Catalog;

/// <summary>A device type from the hardware catalog: compute, memory, links, power and price. Bandwidths are per direction.</summary>
public sealed record DeviceSpec
{
    /// <summary>Catalog name (for example <c>H100-SXM</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Vendor.</summary>
    public string Vendor { get; init; } = "";

    /// <summary>Device class.</summary>
    public DeviceKinds Kind { get; init; } = DeviceKinds.Gpu;

    /// <summary>Peak FP32 (non-tensor) TFLOP/s.</summary>
    public double Fp32Tflops { get; init; }

    /// <summary>Peak dense FP16/BF16 tensor TFLOP/s.</summary>
    public double Fp16Tflops { get; init; }

    /// <summary>Peak FP16/BF16 with 2:4 sparsity, when published.</summary>
    public double? Fp16SparseTflops { get; init; }

    /// <summary>Peak dense FP8 TFLOP/s; null without FP8 arithmetic.</summary>
    public double? Fp8Tflops { get; init; }

    /// <summary>Memory capacity in GB.</summary>
    public double MemoryGB { get; init; }

    /// <summary>Memory bandwidth in GB/s.</summary>
    public double MemoryBandwidthGBs { get; init; }

    /// <summary>Host link bandwidth per direction, GB/s.</summary>
    public double HostLinkGBs { get; init; }

    /// <summary>Host link latency, µs.</summary>
    public double HostLinkLatencyUs { get; init; } = 2;

    /// <summary>Device-to-device (scale-up) link bandwidth per direction, GB/s; null without one.</summary>
    public double? DeviceLinkGBs { get; init; }

    /// <summary>Device-to-device link latency, µs.</summary>
    public double DeviceLinkLatencyUs { get; init; } = 1;

    /// <summary>Maximum power in W; null when not known (a profile's own device may leave it out; a catalog must state it).</summary>
    public double? PowerW { get; init; }

    /// <summary>Whether kernels may use double precision on the device (the schema's <c>supportsFp64</c>, default true).</summary>
    public bool SupportsFp64 { get; init; } = true;

    /// <summary>Whether kernels may use half precision on the device (the schema's <c>supportsFp16</c>, default true).</summary>
    public bool SupportsFp16 { get; init; } = true;

    /// <summary>Purchase price in USD; null when not known.</summary>
    public double? PriceUsd { get; init; }

    /// <summary>Hourly rental in USD; null when not known.</summary>
    public double? RentalUsdPerHour { get; init; }

    /// <summary>The paper's operating cost per hour, where it gives one.</summary>
    public double? OperatingUsdPerHour { get; init; }

    /// <summary>Fixed overhead per operator launch, µs (kernel launch, RPC). Defaults: 10 µs for accelerators, 1 µs for CPUs.</summary>
    public double LaunchOverheadUs { get; init; } = 10;

    /// <summary>Source of each figure, by field name.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();

    /// <summary>Peak FLOP/s at a precision (dense): FP8 falls back to FP16 on devices without FP8.</summary>
    public double PeakFlops(Precision precision) => Shared.CostMath.PeakFlops(Fp32Tflops, Fp16Tflops, Fp8Tflops, precision);

    /// <summary>Memory bandwidth in bytes per second.</summary>
    public double MemoryBytesPerSecond => MemoryBandwidthGBs * 1e9;

    /// <summary>Memory capacity in bytes.</summary>
    public double MemoryBytes => MemoryGB * 1e9;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
