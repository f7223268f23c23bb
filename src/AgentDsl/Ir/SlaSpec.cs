namespace AgentDsl.Ir;

/// <summary>The latency objective of a graph.</summary>
/// <param name="LatencyMs">End-to-end latency bound in milliseconds; 0 means no SLA.</param>
/// <param name="Percentile">The fraction of requests that must meet it, in (0, 1].</param>
public readonly record struct SlaSpec(double LatencyMs, double Percentile)
{
    /// <summary>Whether a latency bound is set.</summary>
    public bool HasLatencyBound => LatencyMs > 0;

    /// <summary>The latency bound as a <see cref="TimeSpan"/>, or <see cref="TimeSpan.MaxValue"/> when unset.</summary>
    public TimeSpan Latency => HasLatencyBound ? TimeSpan.FromMilliseconds(LatencyMs) : TimeSpan.MaxValue;
}
