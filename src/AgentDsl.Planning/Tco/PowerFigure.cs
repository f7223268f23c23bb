using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>One maximum-power figure a source gives for a device.</summary>
/// <param name="Watts">The figure, W.</param>
/// <param name="Source">Where it comes from (source ids of the hardware datasheets).</param>
public sealed record PowerFigure(double Watts, string Source);
