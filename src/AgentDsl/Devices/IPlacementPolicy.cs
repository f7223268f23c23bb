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
