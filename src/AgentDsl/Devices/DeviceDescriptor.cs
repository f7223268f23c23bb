using AgentDsl.Generated;
using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>Static description of a device.</summary>
/// <param name="Name">A unique name (for example <c>cpu</c>, <c>opencl:0:1</c>).</param>
/// <param name="Kind">The device class.</param>
public sealed record DeviceDescriptor(string Name, DeviceKinds Kind)
{
    /// <summary>Vendor, when known.</summary>
    public string? Vendor { get; init; }

    /// <summary>Parallel compute units (cores, SMs, CUs).</summary>
    public int ComputeUnits { get; init; }

    /// <summary>How many nodes the device runs at once.</summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>Memory available to nodes, in bytes; 0 when unknown.</summary>
    public double MemoryBytes { get; init; }

    /// <summary>What an hour of the device costs in US dollars (rental, or amortised price plus energy); 0 when unknown. Busy time at this price is a request's cost.</summary>
    public double HourlyCostUsd { get; init; }

    /// <summary>Whether the device lives in another process or machine (its messages cross a serialization boundary).</summary>
    public bool IsRemote { get; init; }

    /// <summary>
    /// Whether the device groups concurrent nodes into batches itself (an engine with a batch call, such as the ONNX
    /// Runtime device): the runtime's micro-batching (<c>AgentDsl:Batching</c>) then leaves the nodes placed on it alone
    /// and hands it each request's node on its own, as it does for a remote device.
    /// </summary>
    public bool BatchesNodes { get; init; }

    /// <summary>Peak FLOP/s, bandwidth, memory and links, when known: the roofline cost model places nodes by them before any measurement.</summary>
    public DeviceFigures? Figures { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Kind})";
}
