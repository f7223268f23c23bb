using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Placement;

/// <summary>Where a node runs and when, in a plan.</summary>
public sealed record NodePlacement(int NodeId, string Node, string Device, double Start, double Finish, double Cost)
{
    /// <summary>Finish − start.</summary>
    public double Seconds => Finish - Start;
}
