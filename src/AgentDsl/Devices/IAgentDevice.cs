using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>
/// A device that runs nodes: the managed CPU, an OpenCL device, a remote endpoint. Placement is per
/// node: the runtime asks each device whether it <see cref="CanRun"/> a node and hands it
/// <see cref="NodeWork"/> to run on its own queue.
/// </summary>
public interface IAgentDevice
{
    /// <summary>What the device is and offers, for placement and cost modelling.</summary>
    DeviceDescriptor Descriptor { get; }

    /// <summary>Whether this device can run <paramref name="node"/> at all (kind, features, memory).</summary>
    bool CanRun(NodeDefinition node);

    /// <summary>Runs one node. The returned task completes when the node's result is stored, or faults with the operator's exception.</summary>
    /// <param name="work">The node to run and the request it belongs to.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken);
}

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

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Kind})";
}

/// <summary>One node of one request, handed to a device to run.</summary>
public abstract class NodeWork
{
    /// <summary>Creates the work item.</summary>
    protected NodeWork(string graph, NodeDefinition node, NodeValues values)
    {
        Graph = graph;
        Node = node;
        Values = values;
    }

    /// <summary>The graph name.</summary>
    public string Graph { get; }

    /// <summary>The node to run.</summary>
    public NodeDefinition Node { get; }

    /// <summary>The request's values: inputs and the results of earlier nodes.</summary>
    public NodeValues Values { get; }

    /// <summary>Runs the operator's managed implementation on the calling thread (the generated invoker, no reflection).</summary>
    public abstract ValueTask InvokeManagedAsync(CancellationToken cancellationToken);
}
