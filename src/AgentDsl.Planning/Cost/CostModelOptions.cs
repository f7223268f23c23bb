using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Cost;

/// <summary>Options of the roofline cost model.</summary>
public sealed record CostModelOptions
{
    /// <summary>Result size assumed for nodes that state none (bytes).</summary>
    public double DefaultOutputBytes { get; init; } = 4096;

    /// <summary>Fraction of peak FLOP/s reached (1 = pure roofline).</summary>
    public double ComputeEfficiency { get; init; } = 1.0;

    /// <summary>Fraction of peak memory bandwidth reached (1 = pure roofline).</summary>
    public double BandwidthEfficiency { get; init; } = 1.0;
}
