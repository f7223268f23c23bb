using AgentDsl.Generated;
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

    /// <summary>What an hour of the device costs in US dollars (rental, or amortised price plus energy); 0 when unknown. Busy time at this price is a request's cost.</summary>
    public double HourlyCostUsd { get; init; }

    /// <summary>Whether the device lives in another process or machine (its messages cross a serialization boundary).</summary>
    public bool IsRemote { get; init; }

    /// <summary>Peak FLOP/s, bandwidth, memory and links, when known: the roofline cost model places nodes by them before any measurement.</summary>
    public DeviceFigures? Figures { get; init; }

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

    /// <summary>The request, unique within the runtime.</summary>
    public long RequestId { get; init; }

    /// <summary>When the request's latency budget runs out (<see cref="DateTimeOffset.MaxValue"/> without one).</summary>
    public DateTimeOffset Deadline { get; init; } = DateTimeOffset.MaxValue;

    /// <summary>0 for the first try of this node, then 1, 2… for retries.</summary>
    public int Attempt { get; init; }

    /// <summary>Extra cost the device reported for this node (for example tokens of a paid endpoint), in US dollars.</summary>
    public double ReportedCostUsd { get; private set; }

    /// <summary>Adds a cost beyond the device's busy time (tokens, egress) to the request's cost; the device calls it.</summary>
    /// <param name="usd">US dollars, not negative.</param>
    public void ReportCost(double usd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(usd);
        ReportedCostUsd += usd;
    }

    /// <summary>Runs the operator's managed implementation on the calling thread (the generated invoker, no reflection).</summary>
    public abstract ValueTask InvokeManagedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The node as a serializable message, for a device in another process: the values it reads (graph inputs,
    /// results of earlier nodes, a fan-out's collection) with their IR types.
    /// </summary>
    public NodeInvocation ToInvocation()
    {
        var arguments = new List<NodeArgument>(Node.Inputs.Count + 1);
        if (Node.FanOut is { } collection)
        {
            arguments.Add(new NodeArgument(collection, "collection", ValueOf(collection)));
        }

        foreach (var input in Node.Inputs)
        {
            if (input.Value.Source is ValueSource.Input or ValueSource.Node && !arguments.Exists(a => a.Source == input.Value))
            {
                arguments.Add(new NodeArgument(input.Value, input.Type, ValueOf(input.Value)));
            }
        }

        return new NodeInvocation(RequestId, Graph, Node.Id, Node.Name, Attempt, Deadline, arguments);
    }

    /// <summary>Stores a result that came back from another process as this node's result, or throws its error.</summary>
    /// <param name="completion">The answer.</param>
    /// <param name="device">The device that answered (for the error).</param>
    /// <exception cref="DeviceUnavailableException">The device could not take the work.</exception>
    /// <exception cref="RemoteNodeException">The operator failed over there.</exception>
    public void Complete(NodeCompletion completion, string device)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Error is { } error)
        {
            throw error.DeviceUnavailable
                ? new DeviceUnavailableException(device, error.Message)
                : new RemoteNodeException(device, error);
        }

        if (Node.HasResult)
        {
            Values.SetResult(Node.Id, completion.Result);
        }
    }

    private object? ValueOf(ValueRef value) => value.Source == ValueSource.Input ? Values.Input(value.Index) : Values.Result(value.Index);
}

/// <summary>Helpers for placement policies.</summary>
public static class AgentDeviceExtensions
{
    /// <summary>
    /// Whether <paramref name="node"/> may be placed on <paramref name="device"/>: the node allows the device's kind
    /// (<c>[Operator(AllowedDevices = …)]</c>) and the device says it can run it. Every placement the runtime makes,
    /// and every placement it accepts from a policy, satisfies this.
    /// </summary>
    public static bool CanHost(this IAgentDevice device, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(node);
        return (node.Cost.AllowedDevices & device.Descriptor.Kind) != 0 && device.CanRun(node);
    }
}
