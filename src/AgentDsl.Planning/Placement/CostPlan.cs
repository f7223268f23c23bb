using System.Text.Json;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Placement;

/// <summary>The cheapest plan within the SLA, the options considered (exhaustive mode), and whether it is proven optimal.</summary>
public sealed record CostPlan(PlanResult Best, IReadOnlyList<PlanResult> Options, bool Exact);
