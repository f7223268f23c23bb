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

/// <summary>What a placement policy is asked to place, with what the runtime knows at that moment.</summary>
/// <param name="Graph">The graph.</param>
/// <param name="Devices">The devices in service, in registration order.</param>
/// <param name="Estimates">Measured node times and device backlogs.</param>
/// <param name="Reason">Why the runtime is (re-)planning: <c>start</c>, <c>device-out</c>, <c>device-back</c>, <c>slowdown</c>, <c>probe</c>.</param>
public sealed record PlacementRequest(GraphDefinition Graph, IReadOnlyList<IAgentDevice> Devices, INodeTimeEstimates Estimates, string Reason);

/// <summary>What the runtime has measured: per node and device, and per device queue.</summary>
public interface INodeTimeEstimates
{
    /// <summary>
    /// The expected time of <paramref name="nodeId"/> on <paramref name="device"/>, from measurements (an exponentially
    /// weighted mean); false when the node has not run there yet. A measurement older than the runtime's estimate
    /// lifetime reads as the best the device has done for the node, so a device that slowed down is tried again.
    /// </summary>
    bool TryGetMilliseconds(int nodeId, IAgentDevice device, out double milliseconds);

    /// <summary>
    /// The best expected time measured for <paramref name="nodeId"/> on any device (the lowest mean it has reached), or
    /// NaN before any measurement: what the node costs when its device is well, a prior for devices it has not run on.
    /// </summary>
    double BestMilliseconds(int nodeId);

    /// <summary>Estimated milliseconds of work queued and running on <paramref name="device"/>, divided by its concurrency.</summary>
    double BacklogMilliseconds(IAgentDevice device);
}

/// <summary>Thrown when a node cannot be placed on any available device.</summary>
public sealed class PlacementException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlacementException(string message)
        : base(message)
    {
    }
}
