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
