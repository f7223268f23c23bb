using AgentDsl.Devices;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Cost;

/// <summary>
/// The one cost chain, used by the runtime's placement (<c>PlannedPlacementPolicy</c>) and by the planners
/// (<see cref="CostModel.Seconds"/>): a node's time on a device is
/// <list type="number">
/// <item>measured, when the node has run there often enough (the runtime's estimates, or <see cref="CalibrationHistory"/>);</item>
/// <item>else the roofline from the node's cost hints (<c>Flops</c>, <c>BytesMoved</c>) and the device's figures
/// (peak FLOP/s at the node's precision, memory bandwidth, launch overhead), times the ratio measured/roofline the
/// node (planners: the operator on that device) has shown where it did run;</item>
/// <item>else a stated prior (<see cref="PriorSeconds"/>, or what the caller derives from measurements elsewhere).</item>
/// </list>
/// docs/planning.md and docs/runtime.md, "The cost chain".
/// </summary>
public static class CostChain
{
    /// <summary>The prior when nothing else is known: 1 ms, the order of a small managed operator with its dispatch.</summary>
    public const double PriorSeconds = 1e-3;

    /// <summary>The first link that is known: <paramref name="measuredSeconds"/>, else <paramref name="rooflineSeconds"/> × <paramref name="ratio"/> (1 when not known), else <paramref name="priorSeconds"/>. NaN marks a link as unknown.</summary>
    public static CostEstimate Choose(double measuredSeconds, double rooflineSeconds, double ratio, double priorSeconds)
    {
        if (IsTime(measuredSeconds))
        {
            return new(measuredSeconds, CostSource.Measured);
        }

        if (IsTime(rooflineSeconds))
        {
            return new(rooflineSeconds * (IsTime(ratio) && ratio > 0 ? ratio : 1), CostSource.Roofline);
        }

        return new(priorSeconds, CostSource.Prior);
    }

    /// <summary>Whether the roofline can predict <paramref name="node"/> on <paramref name="device"/>: the node states work, and the device has the figure each part of it needs.</summary>
    public static bool CanPredict(NodeDefinition node, DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(device);
        double flops = node.Cost.Flops, bytes = node.Cost.BytesMoved;
        return (flops > 0 || bytes > 0)
            && (flops <= 0 || device.PeakFlops(CostModel.PrecisionOf(node)) > 0)
            && (bytes <= 0 || device.MemoryBandwidthGBs > 0);
    }

    /// <summary>A runtime device as the cost model sees it: its figures, or null when it has none.</summary>
    public static DeviceSpec? ToSpec(DeviceDescriptor device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Figures is not { } f)
        {
            return null;
        }

        return new DeviceSpec
        {
            Name = device.Name,
            Vendor = device.Vendor ?? "",
            Kind = device.Kind,
            Fp32Tflops = f.Fp32Tflops,
            Fp16Tflops = f.Fp16Tflops,
            Fp8Tflops = f.Fp8Tflops,
            MemoryBandwidthGBs = f.MemoryBandwidthGBs,
            MemoryGB = f.MemoryGB > 0 ? f.MemoryGB : device.MemoryBytes / 1e9,
            HostLinkGBs = f.HostLinkGBs,
            HostLinkLatencyUs = f.HostLinkLatencyUs,
            DeviceLinkGBs = f.DeviceLinkGBs,
            LaunchOverheadUs = f.LaunchOverheadUs,
        };
    }

    /// <summary>A catalog or profile device's figures, for a runtime device's <see cref="DeviceDescriptor.Figures"/>.</summary>
    public static DeviceFigures ToFigures(DeviceSpec spec, string source)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new DeviceFigures
        {
            Source = source,
            Fp32Tflops = spec.Fp32Tflops,
            Fp16Tflops = spec.Fp16Tflops,
            Fp8Tflops = spec.Fp8Tflops,
            MemoryBandwidthGBs = spec.MemoryBandwidthGBs,
            MemoryGB = spec.MemoryGB,
            HostLinkGBs = spec.HostLinkGBs,
            HostLinkLatencyUs = spec.HostLinkLatencyUs,
            DeviceLinkGBs = spec.DeviceLinkGBs,
            LaunchOverheadUs = spec.LaunchOverheadUs,
        };
    }

    private static bool IsTime(double seconds) => !double.IsNaN(seconds) && !double.IsInfinity(seconds) && seconds >= 0;
}
