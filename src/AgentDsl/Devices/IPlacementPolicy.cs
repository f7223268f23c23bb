using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>
/// Chooses the device each node of a graph runs on. The runtime's default picks, per node, a device
/// that can run it, favouring the node's preferred device kinds. Register your own implementation
/// in dependency injection to replace it.
/// </summary>
public interface IPlacementPolicy
{
    /// <summary>Places every node of <paramref name="graph"/> on one of <paramref name="devices"/>.</summary>
    /// <param name="graph">The graph to place.</param>
    /// <param name="devices">The devices available, in registration order.</param>
    /// <returns>One device per node, indexed by node id.</returns>
    /// <exception cref="PlacementException">A node fits no device; the message names the node.</exception>
    IReadOnlyList<IAgentDevice> Place(GraphDefinition graph, IReadOnlyList<IAgentDevice> devices);

    /// <summary>
    /// Places every node with what the runtime has measured: called at start-up and again whenever the runtime
    /// re-plans (a device failed, came back, or slowed down). The devices listed are those in service; the default
    /// implementation ignores the measurements and calls <see cref="Place(GraphDefinition, IReadOnlyList{IAgentDevice})"/>.
    /// </summary>
    /// <param name="request">The graph, the devices in service, measured node times and device backlogs, and why.</param>
    /// <returns>One device per node, indexed by node id; each must be one of <see cref="PlacementRequest.Devices"/>.</returns>
    IReadOnlyList<IAgentDevice> Place(PlacementRequest request) =>
        Place((request ?? throw new ArgumentNullException(nameof(request))).Graph, request.Devices);
}
