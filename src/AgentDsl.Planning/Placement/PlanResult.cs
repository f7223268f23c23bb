using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Placement;

/// <summary>A placement of every node, its predicted latency and price, or why there is none.</summary>
public sealed record PlanResult
{
    /// <summary>Whether every constraint holds (memory and the SLA).</summary>
    public bool Feasible => Problem is null;

    /// <summary>The binding constraint when infeasible.</summary>
    public Infeasibility? Problem { get; init; }

    /// <summary>Per-node placement, by node id (empty when no node could be placed).</summary>
    public IReadOnlyList<NodePlacement> Nodes { get; init; } = [];

    /// <summary>End-to-end latency (makespan), seconds.</summary>
    public double LatencySeconds { get; init; }

    /// <summary>Price of one request: node costs plus transfer costs.</summary>
    public double Cost { get; init; }

    /// <summary>The critical path, node names from first to last.</summary>
    public IReadOnlyList<string> CriticalPath { get; init; } = [];

    /// <summary>The device of each node id.</summary>
    public IReadOnlyList<string> Devices => [.. Nodes.Select(n => n.Device)];
}
