using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>What a placement policy is asked to place, with what the runtime knows at that moment.</summary>
/// <param name="Graph">The graph.</param>
/// <param name="Devices">The devices in service, in registration order.</param>
/// <param name="Estimates">Measured node times and device backlogs.</param>
/// <param name="Reason">Why the runtime is (re-)planning: <c>start</c>, <c>device-out</c>, <c>device-back</c>, <c>slowdown</c>, <c>probe</c>.</param>
public sealed record PlacementRequest(GraphDefinition Graph, IReadOnlyList<IAgentDevice> Devices, INodeTimeEstimates Estimates, string Reason);
