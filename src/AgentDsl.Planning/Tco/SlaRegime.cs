using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Tco;

/// <summary>The SLA regime of a study configuration.</summary>
public enum SlaRegime
{
    /// <summary>Time to first token ≤ 250 ms and time between tokens ≤ 20 ms.</summary>
    Interactive,

    /// <summary>No latency bound: maximise tokens per second per dollar.</summary>
    Offline,
}
