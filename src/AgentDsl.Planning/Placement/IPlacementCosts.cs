using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Placement;

/// <summary>The time, fit and price of each node on each device, and of each transfer.</summary>
public interface IPlacementCosts
{
    /// <summary>Seconds node <paramref name="node"/> takes on <paramref name="device"/>.</summary>
    double Seconds(NodeDefinition node, PlanDevice device);

    /// <summary>Whether the node fits the device's memory (and is allowed there).</summary>
    bool Fits(NodeDefinition node, PlanDevice device);

    /// <summary>Seconds to move <paramref name="producer"/>'s result between two devices (0 on the same device).</summary>
    double TransferSeconds(NodeDefinition producer, PlanDevice from, PlanDevice to);

    /// <summary>Price of running the node on the device.</summary>
    double Cost(NodeDefinition node, PlanDevice device);

    /// <summary>Price of moving the producer's result between devices.</summary>
    double TransferCost(NodeDefinition producer, PlanDevice from, PlanDevice to);
}
