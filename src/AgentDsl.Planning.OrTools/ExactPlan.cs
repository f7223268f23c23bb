using System.Diagnostics;
using AgentDsl.Ir;
using AgentDsl.Planning.Placement;
using Google.OrTools.Sat;

namespace AgentDsl.Planning.OrTools;

/// <summary>The exact planner's answer: the plan (re-evaluated with exact times), whether optimality was proven, and the solve time.</summary>
public sealed record ExactPlan(PlanResult Plan, bool Optimal, double SolveSeconds, string Status)
{
    /// <summary>
    /// The makespan of the solver's own solution (its integer-microsecond model), seconds; <see langword="null"/> when the
    /// solver returned none. The model and <see cref="PlanEvaluator"/> share the graph's dependencies, so it equals the
    /// re-evaluated plan's latency up to that rounding.
    /// </summary>
    public double? SolverMakespanSeconds { get; init; }
}
