namespace AgentDsl;

/// <summary>
/// Marks a <see langword="partial"/> class as an agent graph. The source generator reads its one
/// <see cref="FlowAttribute"/> method and makes the class implement <see cref="IAgentGraph{TSelf}"/>.
/// </summary>
/// <example>
/// <code>
/// [AgentGraph(LatencySlaMs = 800, Percentile = 0.99)]
/// public partial class SupportAgent { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AgentGraphAttribute : Attribute
{
    /// <summary>Default <see cref="Percentile"/>: 0.99.</summary>
    public const double DefaultPercentile = 0.99;

    /// <summary>End-to-end latency objective in milliseconds at <see cref="Percentile"/>; 0 means none.</summary>
    public double LatencySlaMs { get; set; }

    /// <summary>The percentile the SLA applies to, in (0, 1]. Defaults to <see cref="DefaultPercentile"/>.</summary>
    public double Percentile { get; set; } = DefaultPercentile;

    /// <summary>The graph's name in the IR and in telemetry; defaults to the class name.</summary>
    public string? Name { get; set; }
}
