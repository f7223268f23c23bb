using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Tco;

/// <summary>One serving stage configuration: tensor × pipeline parallelism, batch, latency and throughput.</summary>
/// <param name="Tp">Tensor-parallel degree.</param>
/// <param name="Pp">Pipeline-parallel degree.</param>
/// <param name="Batch">Requests per batch.</param>
/// <param name="LatencySeconds">TTFT (prefill) or TBT (decode).</param>
/// <param name="Throughput">Requests/s (prefill) or tokens/s (decode) of one Tp·Pp unit.</param>
/// <param name="CostPerUnit">Cost of one request's prefill, or of one generated token, on this stage.</param>
public sealed record StageConfig(int Tp, int Pp, int Batch, double LatencySeconds, double Throughput, double CostPerUnit)
{
    /// <summary>Devices in one unit.</summary>
    public int Devices => Tp * Pp;

    /// <inheritdoc/>
    public override string ToString() => $"TP{Tp}×PP{Pp} b{Batch}";
}
