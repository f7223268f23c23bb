using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Cost;

/// <summary>Options of the roofline cost model.</summary>
public sealed record CostModelOptions
{
    /// <summary>Result size assumed for nodes that state none (bytes).</summary>
    public double DefaultOutputBytes { get; init; } = 4096;

    /// <summary>Fraction of peak FLOP/s reached (1 = pure roofline).</summary>
    public double ComputeEfficiency { get; init; } = 1.0;

    /// <summary>Fraction of peak memory bandwidth reached (1 = pure roofline).</summary>
    public double BandwidthEfficiency { get; init; } = 1.0;
}

/// <summary>
/// Answers "how long does node N take on device D, and how long does moving its output from D to E
/// take": roofline time (FLOPs over peak FLOP/s at the node's precision, bytes over memory bandwidth,
/// whichever is larger) plus launch overhead, transfers over the link between the two devices, and
/// memory capacity as a hard constraint. Measurements recorded in <see cref="Calibration"/> replace the
/// roofline prediction for an operator on a device once there are enough of them.
/// </summary>
public sealed class CostModel
{
    /// <summary>Creates the model.</summary>
    public CostModel(CostModelOptions? options = null, CalibrationHistory? calibration = null)
    {
        Options = options ?? new CostModelOptions();
        Calibration = calibration ?? new CalibrationHistory();
    }

    /// <summary>The options.</summary>
    public CostModelOptions Options { get; }

    /// <summary>Measured times that correct the model.</summary>
    public CalibrationHistory Calibration { get; }

    /// <summary>Precision of a node: its model's, else FP32 for general compute and FP16 for model and kernel work.</summary>
    public static Precision PrecisionOf(NodeDefinition node) =>
        node.Cost.Model?.Precision is { } p and not Precision.Unspecified ? p
        : node.Kind is OperatorKind.Llm or OperatorKind.Model ? Precision.Fp16 : Precision.Fp32;

    /// <summary>The pure roofline time of <paramref name="node"/> on <paramref name="device"/>, seconds (launch overhead included).</summary>
    public double RooflineSeconds(NodeDefinition node, DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(device);
        return Shared.CostMath.RooflineSeconds(
            node.Cost.Flops,
            node.Cost.BytesMoved,
            device.PeakFlops(PrecisionOf(node)) * Options.ComputeEfficiency,
            device.MemoryBytesPerSecond * Options.BandwidthEfficiency,
            device.LaunchOverheadUs * 1e-6);
    }

    /// <summary>Predicted time of <paramref name="node"/> on <paramref name="device"/>, seconds: calibrated when measurements exist, else roofline.</summary>
    public double Seconds(NodeDefinition node, DeviceSpec device)
    {
        double roofline = RooflineSeconds(node, device);
        return Calibration.Predict(node.Operator, device.Name, InputSize(node), roofline);
    }

    /// <summary>Whether the node's resident memory fits the device (a hard constraint).</summary>
    public static bool Fits(NodeDefinition node, DeviceSpec device) =>
        node.Cost.MemoryFootprintBytes <= 0 || node.Cost.MemoryFootprintBytes <= device.MemoryBytes;

    /// <summary>Bytes a node hands to its consumers.</summary>
    public double OutputBytes(NodeDefinition node) => node.OutputBytes > 0 ? node.OutputBytes : Options.DefaultOutputBytes;

    /// <summary>
    /// Seconds to move <paramref name="bytes"/> from <paramref name="from"/> to <paramref name="to"/>: zero on the same
    /// device instance; the scale-up link between two devices of one type that have it; otherwise through the host
    /// (the slower host link, both latencies; a CPU is the host).
    /// </summary>
    public static double TransferSeconds(double bytes, DeviceSpec from, DeviceSpec to, bool sameInstance)
    {
        if (sameInstance || bytes <= 0)
        {
            return 0;
        }

        if (from.Kind == DeviceKinds.Cpu && to.Kind == DeviceKinds.Cpu)
        {
            return (bytes / (Math.Min(from.MemoryBandwidthGBs, to.MemoryBandwidthGBs) * 1e9)) + 1e-6;
        }

        if (ReferenceEquals(from, to) || from.Name == to.Name)
        {
            if (from.DeviceLinkGBs is { } link && link > 0)
            {
                return (bytes / (link * 1e9)) + (from.DeviceLinkLatencyUs * 1e-6);
            }
        }

        if (from.Kind == DeviceKinds.Cpu)
        {
            return (bytes / (to.HostLinkGBs * 1e9)) + (to.HostLinkLatencyUs * 1e-6);
        }

        if (to.Kind == DeviceKinds.Cpu)
        {
            return (bytes / (from.HostLinkGBs * 1e9)) + (from.HostLinkLatencyUs * 1e-6);
        }

        double hostLink = Math.Min(from.HostLinkGBs, to.HostLinkGBs);
        return (bytes / (hostLink * 1e9)) + ((from.HostLinkLatencyUs + to.HostLinkLatencyUs) * 1e-6);
    }

    /// <summary>
    /// The input size at which offloading <paramref name="node"/>'s kind of work from <paramref name="cpu"/> to
    /// <paramref name="accelerator"/> starts to pay: with work and transfers growing linearly with the input, the
    /// accelerator's fixed cost (launch overhead and link latencies) must be repaid by its faster per-byte rate.
    /// Returns bytes, or <see cref="double.PositiveInfinity"/> when offloading never pays.
    /// </summary>
    public double BreakEvenBytes(NodeDefinition node, DeviceSpec cpu, DeviceSpec accelerator)
    {
        ArgumentNullException.ThrowIfNull(node);
        double bytes = InputSize(node);
        if (bytes <= 0)
        {
            bytes = Options.DefaultOutputBytes;
        }

        double flopsPerByte = node.Cost.Flops / bytes;
        var precision = PrecisionOf(node);
        double PerByte(DeviceSpec d) => Math.Max(flopsPerByte / (d.PeakFlops(precision) * Options.ComputeEfficiency), 1 / (d.MemoryBytesPerSecond * Options.BandwidthEfficiency));
        double cpuPerByte = PerByte(cpu);
        double linkPerByte = 2 / (accelerator.HostLinkGBs * 1e9); // inputs over, results back
        double accPerByte = PerByte(accelerator) + linkPerByte;
        double fixedCost = ((accelerator.LaunchOverheadUs + (2 * accelerator.HostLinkLatencyUs)) - cpu.LaunchOverheadUs) * 1e-6;
        return Shared.CostMath.BreakEvenBytes(cpuPerByte, accPerByte, fixedCost);
    }

    /// <summary>The size the calibration history buckets a node by: bytes moved, else FLOPs.</summary>
    public static double InputSize(NodeDefinition node) => node.Cost.BytesMoved > 0 ? node.Cost.BytesMoved : node.Cost.Flops;
}
