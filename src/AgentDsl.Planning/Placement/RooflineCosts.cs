using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Placement;

/// <summary>Placement costs from the roofline <see cref="CostModel"/>; a node costs its busy time at the device's hourly price.</summary>
public sealed class RooflineCosts(CostModel model) : IPlacementCosts
{
    /// <summary>The model.</summary>
    public CostModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public double Seconds(NodeDefinition node, PlanDevice device) => Model.Seconds(node, device.Spec);

    /// <inheritdoc/>
    public bool Fits(NodeDefinition node, PlanDevice device) =>
        CostModel.Fits(node, device.Spec) && (node.Cost.AllowedDevices & device.Spec.Kind) != 0;

    /// <inheritdoc/>
    public double TransferSeconds(NodeDefinition producer, PlanDevice from, PlanDevice to) =>
        CostModel.TransferSeconds(Model.OutputBytes(producer), from.Spec, to.Spec, sameInstance: ReferenceEquals(from, to) || from.Name == to.Name);

    /// <inheritdoc/>
    public double Cost(NodeDefinition node, PlanDevice device) => Seconds(node, device) * device.HourlyCost / 3600;

    /// <inheritdoc/>
    public double TransferCost(NodeDefinition producer, PlanDevice from, PlanDevice to) => 0;
}
