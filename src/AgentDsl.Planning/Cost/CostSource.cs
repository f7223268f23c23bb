using AgentDsl.Devices;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Cost;

/// <summary>Which link of the <see cref="CostChain"/> gave a node's time.</summary>
public enum CostSource
{
    /// <summary>Measured runs of the node on the device.</summary>
    Measured,

    /// <summary>The roofline from the node's cost hints and the device's figures (scaled by the measured/roofline ratio when one is known).</summary>
    Roofline,

    /// <summary>The stated prior: nothing measured, no hints or no figures.</summary>
    Prior,
}
