using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Placement;

/// <summary>One device the planner may use: a catalog type, its current backlog and its price per hour.</summary>
/// <param name="Name">Unique instance name (for example <c>H100-SXM#0</c>).</param>
/// <param name="Spec">The device type.</param>
public sealed record PlanDevice(string Name, DeviceSpec Spec)
{
    /// <summary>Seconds of work already queued on the device (current load); new work starts after it.</summary>
    public double ReadyAt { get; init; }

    /// <summary>What an hour of the device costs (rental, or amortised capital plus energy); 0 when unknown.</summary>
    public double HourlyCost { get; init; }

    /// <summary>Instances of the given types, named <c>{type}#{i}</c>.</summary>
    public static IReadOnlyList<PlanDevice> Of(params (DeviceSpec Spec, int Count, double HourlyCost)[] types) =>
        [.. types.SelectMany(t => Enumerable.Range(0, t.Count).Select(i => new PlanDevice($"{t.Spec.Name}#{i}", t.Spec) { HourlyCost = t.HourlyCost }))];

    /// <inheritdoc/>
    public override string ToString() => Name;
}

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

/// <summary>Where a node runs and when, in a plan.</summary>
public sealed record NodePlacement(int NodeId, string Node, string Device, double Start, double Finish, double Cost)
{
    /// <summary>Finish − start.</summary>
    public double Seconds => Finish - Start;
}

/// <summary>The constraint that makes a planning problem infeasible, with the numbers.</summary>
/// <param name="Constraint"><c>memory</c>, <c>sla</c> or <c>device-kind</c>.</param>
/// <param name="Message">One sentence naming the node or path and the numbers.</param>
/// <param name="Required">What is needed (bytes or seconds).</param>
/// <param name="Available">What is available (bytes or seconds).</param>
public sealed record Infeasibility(string Constraint, string Message, double Required, double Available);

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
