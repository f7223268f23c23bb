using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Cost;

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

    /// <summary>Precision of a node: its model's, else FP32 for general compute and FP16 for model and LLM work.</summary>
    public static Precision PrecisionOf(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Shared.CostMath.PrecisionOf(node.Cost.Model?.Precision ?? Precision.Unspecified, node.Kind);
    }

    /// <summary>What the shared compositions need of <paramref name="device"/> at <paramref name="precision"/>, with this model's efficiencies.</summary>
    internal Shared.DeviceRates Rates(DeviceSpec device, Precision precision) => new(
        device.PeakFlops(precision) * Options.ComputeEfficiency,
        device.MemoryBytesPerSecond * Options.BandwidthEfficiency,
        device.LaunchOverheadUs * 1e-6,
        device.HostLinkGBs * 1e9,
        device.HostLinkLatencyUs * 1e-6);

    /// <summary>The pure roofline time of <paramref name="node"/> on <paramref name="device"/>, seconds (launch overhead included).</summary>
    public double RooflineSeconds(NodeDefinition node, DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(device);
        return Shared.CostMath.Seconds(node.Cost.Flops, node.Cost.BytesMoved, Rates(device, PrecisionOf(node)));
    }

    /// <summary>The roofline time of <paramref name="flops"/> and <paramref name="bytes"/> of work at <paramref name="precision"/> on <paramref name="device"/>, seconds (launch overhead included); for work that is not a graph node (an LLM call's phase).</summary>
    public double RooflineSeconds(double flops, double bytes, Precision precision, DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return Shared.CostMath.Seconds(flops, bytes, Rates(device, precision));
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
            return Shared.CostMath.TransferSeconds(bytes, Math.Min(from.MemoryBandwidthGBs, to.MemoryBandwidthGBs) * 1e9, Shared.CostMath.CpuCopyLatencySeconds);
        }

        if ((ReferenceEquals(from, to) || from.Name == to.Name) && from.DeviceLinkGBs is { } link && link > 0)
        {
            return Shared.CostMath.TransferSeconds(bytes, link * 1e9, from.DeviceLinkLatencyUs * 1e-6);
        }

        if (from.Kind == DeviceKinds.Cpu)
        {
            return Shared.CostMath.TransferSeconds(bytes, to.HostLinkGBs * 1e9, to.HostLinkLatencyUs * 1e-6);
        }

        if (to.Kind == DeviceKinds.Cpu)
        {
            return Shared.CostMath.TransferSeconds(bytes, from.HostLinkGBs * 1e9, from.HostLinkLatencyUs * 1e-6);
        }

        return Shared.CostMath.TransferSeconds(bytes, Math.Min(from.HostLinkGBs, to.HostLinkGBs) * 1e9, (from.HostLinkLatencyUs + to.HostLinkLatencyUs) * 1e-6);
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
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(accelerator);
        double bytes = InputSize(node);
        if (bytes <= 0)
        {
            bytes = Options.DefaultOutputBytes;
        }

        var precision = PrecisionOf(node);
        return Shared.CostMath.OffloadBreakEvenBytes(node.Cost.Flops / bytes, Rates(cpu, precision), Rates(accelerator, precision));
    }

    /// <summary>The size the calibration history buckets a node by: bytes moved, else FLOPs.</summary>
    public static double InputSize(NodeDefinition node) => Shared.CostMath.InputSize(node.Cost.Flops, node.Cost.BytesMoved);
}
