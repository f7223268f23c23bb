using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Planning.Placement;

/// <summary>A fleet: device counts per type, where each node runs, and what it costs per hour and per request.</summary>
/// <param name="Name">The fleet's name (<c>heterogeneous</c> or <c>{type} only</c>).</param>
/// <param name="Plan">Where each node runs.</param>
/// <param name="Devices">Devices per type.</param>
/// <param name="UsdPerHour">What the fleet costs per hour.</param>
/// <param name="UsdPerRequest">What one request costs at the planned rate.</param>
/// <param name="P50Seconds">Median end-to-end latency with queueing.</param>
/// <param name="TailSeconds">End-to-end latency with queueing at <paramref name="TailPercentile"/>.</param>
/// <param name="TailPercentile">The tail's percentile as a fraction in (0, 1] (0.99 for p99).</param>
public sealed record Fleet(string Name, PlanResult Plan, IReadOnlyDictionary<string, int> Devices, double UsdPerHour, double UsdPerRequest, double P50Seconds, double TailSeconds, double TailPercentile)
{
    /// <summary>Whether the fleet meets the SLA (the plan is feasible).</summary>
    public bool Feasible => Plan.Feasible;
}
