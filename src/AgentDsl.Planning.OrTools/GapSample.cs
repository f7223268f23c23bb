using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;

namespace AgentDsl.Planning.OrTools;

/// <summary>One generated problem: the heuristic's and the exact latency.</summary>
public sealed record GapSample(int Seed, int Nodes, double HeuristicSeconds, double ExactSeconds, bool Optimal)
{
    /// <summary>(heuristic − exact) / exact.</summary>
    public double Gap => (HeuristicSeconds - ExactSeconds) / ExactSeconds;
}
