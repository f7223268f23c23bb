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
