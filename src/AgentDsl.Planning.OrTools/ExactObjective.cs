using System.Diagnostics;
using AgentDsl.Ir;
using AgentDsl.Planning.Placement;
using Google.OrTools.Sat;

namespace AgentDsl.Planning.OrTools;

/// <summary>What the exact planner optimises.</summary>
public enum ExactObjective
{
    /// <summary>End-to-end latency (makespan).</summary>
    Latency,

    /// <summary>Price per request, subject to latency within the SLA (the paper's objective).</summary>
    Cost,
}
