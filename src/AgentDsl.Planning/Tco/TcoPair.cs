using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>The outcome for one prefill::decode pair in one configuration.</summary>
public sealed record TcoPair(string Prefill, string Decode, StageConfig? PrefillStage, StageConfig? DecodeStage, double CostPerRequest, double Relative)
{
    /// <summary><c>P::D</c>.</summary>
    public string Name => Prefill + "::" + Decode;

    /// <summary>Whether both stages have a configuration that fits and meets the SLA.</summary>
    public bool Feasible => PrefillStage is not null && DecodeStage is not null;
}
