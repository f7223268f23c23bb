using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Placement;

/// <summary>The constraint that makes a planning problem infeasible, with the numbers.</summary>
/// <param name="Constraint"><c>memory</c>, <c>sla</c> or <c>device-kind</c>.</param>
/// <param name="Message">One sentence naming the node or path and the numbers.</param>
/// <param name="Required">What is needed (bytes or seconds).</param>
/// <param name="Available">What is available (bytes or seconds).</param>
public sealed record Infeasibility(string Constraint, string Message, double Required, double Available);
