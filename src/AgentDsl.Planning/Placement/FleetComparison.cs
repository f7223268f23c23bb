using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Planning.Placement;

/// <summary>Heterogeneous and homogeneous fleets for one graph at one request rate.</summary>
public sealed record FleetComparison(Fleet Heterogeneous, IReadOnlyList<Fleet> Homogeneous)
{
    /// <summary>The cheapest feasible fleet.</summary>
    public Fleet? Best => new[] { Heterogeneous }.Concat(Homogeneous).Where(f => f.Feasible).MinBy(f => f.UsdPerHour);
}
