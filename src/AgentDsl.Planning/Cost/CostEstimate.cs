using AgentDsl.Devices;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Cost;

/// <summary>A predicted node time and where it came from.</summary>
/// <param name="Seconds">The time, seconds.</param>
/// <param name="Source">The link of the chain that gave it.</param>
public readonly record struct CostEstimate(double Seconds, CostSource Source);
