using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>All pairs of one configuration under one reading.</summary>
public sealed record TcoRow(DeviceReading Devices, PriceReading Prices, TcoConfiguration Configuration, IReadOnlyList<TcoPair> Pairs)
{
    /// <summary>The cheapest feasible pair.</summary>
    public TcoPair? Winner => Pairs.Where(p => p.Feasible).MinBy(p => p.CostPerRequest);

    /// <summary>The baseline pair.</summary>
    public TcoPair Baseline(string prefill, string decode) => Pairs.Single(p => p.Prefill == prefill && p.Decode == decode);
}
