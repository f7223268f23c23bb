using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Tco;

/// <summary>
/// The performance model of disaggregated LLM serving used by the fleet planner: a roofline per stage
/// (compute against memory traffic of weights and KV cache), tensor-parallel all-reduces over the
/// scale-up link, pipeline hand-offs over the scale-up link inside an 8-device domain and RoCE between
/// chassis, memory capacity as a hard limit. It searches TP × PP and the batch per stage.
/// </summary>
public sealed class LlmServingModel
{
    /// <summary>Interactive time-to-first-token bound, seconds. Paper: 250 ms.</summary>
    public double TtftLimit { get; init; } = 0.250;

    /// <summary>Interactive time-between-tokens bound, seconds. Paper: 20 ms.</summary>
    public double TbtLimit { get; init; } = 0.020;

    /// <summary>Accelerators in one scale-up domain. Paper: 8.</summary>
    public int ScaleUpDomain { get; init; } = 8;

    /// <summary>RoCE bandwidth between chassis per device, GB/s (400 Gb/s).</summary>
    public double RoceGBs { get; init; } = 50;

    /// <summary>RoCE latency, µs.</summary>
    public double RoceLatencyUs { get; init; } = 5;

    /// <summary>Fraction of device memory usable for weights and KV cache.</summary>
    public double MemoryHeadroom { get; init; } = 0.9;

    /// <summary>Largest batch searched (powers of two up to it).</summary>
    public int MaxBatch { get; init; } = 4096;

    /// <summary>Tensor- and pipeline-parallel degrees searched.</summary>
    public IReadOnlyList<int> Degrees { get; init; } = [1, 2, 4, 8];

    /// <summary>TTFT and prefill throughput (requests/s per unit) of one configuration; null when it does not fit in memory.</summary>
    public (double Ttft, double RequestsPerSecond)? Prefill(DeviceSpec d, LlmSpec m, TokenShape s, int tp, int pp, int batch)
    {
        if (!FitsMemory(d, m, s.Prompt, tp, pp, batch))
        {
            return null;
        }

        double work = Shared.CostMath.RooflineSeconds(
            LlmMath.PrefillFlops(m.Parameters, s.Prompt, batch), m.WeightBytes + (m.KvBytesPerToken * s.Prompt * batch),
            tp * d.PeakFlops(m.Precision), tp * d.MemoryBytesPerSecond, launchOverheadSeconds: 0);
        double activations = (double)batch * s.Prompt * m.Hidden * m.BytesPerElement;
        double ttft = work + Communication(d, m, tp, pp, activations);
        return (ttft, batch * pp / ttft);
    }

    /// <summary>Time between tokens and decode throughput (tokens/s per unit) of one configuration; null when it does not fit.</summary>
    public (double Tbt, double TokensPerSecond)? Decode(DeviceSpec d, LlmSpec m, TokenShape s, int tp, int pp, int batch)
    {
        if (!FitsMemory(d, m, s.Prompt + s.Output, tp, pp, batch))
        {
            return null;
        }

        double context = s.Prompt + (s.Output / 2.0);
        double work = Shared.CostMath.RooflineSeconds(
            LlmMath.DecodeFlops(m.Parameters, outputTokens: 1, batch), m.WeightBytes + (m.KvBytesPerToken * context * batch),
            tp * d.PeakFlops(m.Precision), tp * d.MemoryBytesPerSecond, launchOverheadSeconds: 0);
        double activations = (double)batch * m.Hidden * m.BytesPerElement;
        double tbt = work + Communication(d, m, tp, pp, activations);
        return (tbt, batch * pp / tbt);
    }

    /// <summary>The cheapest prefill configuration per request (within TTFT when interactive); null when none fits.</summary>
    public StageConfig? BestPrefill(DeviceSpec d, double hourlyCost, LlmSpec m, TokenShape s, SlaRegime regime) =>
        Best(tp => pp => b => Prefill(d, m, s, tp, pp, b) is { } r && (regime == SlaRegime.Offline || r.Ttft <= TtftLimit)
            ? new StageConfig(tp, pp, b, r.Ttft, r.RequestsPerSecond, tp * pp * hourlyCost / 3600 / r.RequestsPerSecond)
            : null);

    /// <summary>The cheapest decode configuration per token (within TBT when interactive); null when none fits.</summary>
    public StageConfig? BestDecode(DeviceSpec d, double hourlyCost, LlmSpec m, TokenShape s, SlaRegime regime) =>
        Best(tp => pp => b => Decode(d, m, s, tp, pp, b) is { } r && (regime == SlaRegime.Offline || r.Tbt <= TbtLimit)
            ? new StageConfig(tp, pp, b, r.Tbt, r.TokensPerSecond, tp * pp * hourlyCost / 3600 / r.TokensPerSecond)
            : null);

    private StageConfig? Best(Func<int, Func<int, Func<int, StageConfig?>>> evaluate)
    {
        StageConfig? best = null;
        foreach (int tp in Degrees.Where(t => t <= ScaleUpDomain))
        {
            foreach (int pp in Degrees)
            {
                for (int b = 1; b <= MaxBatch; b *= 2)
                {
                    var c = evaluate(tp)(pp)(b);
                    if (c is not null && (best is null || c.CostPerUnit < best.CostPerUnit * (1 - 1e-12)))
                    {
                        best = c;
                    }
                }
            }
        }

        return best;
    }

    private bool FitsMemory(DeviceSpec d, LlmSpec m, double contextTokens, int tp, int pp, int batch)
    {
        // Pipeline stages hold Pp micro-batches in flight; each device keeps 1/(Tp·Pp) of weights and of their KV cache.
        double bytes = (m.WeightBytes + (m.KvBytesPerToken * contextTokens * batch * pp)) / (tp * pp);
        return bytes <= MemoryHeadroom * d.MemoryBytes;
    }

    private double Communication(DeviceSpec d, LlmSpec m, int tp, int pp, double activationBytes)
    {
        double seconds = 0;
        if (tp > 1)
        {
            // Two ring all-reduces per layer over the scale-up link (or PCIe through the host without one).
            double link = (d.DeviceLinkGBs ?? d.HostLinkGBs) * 1e9;
            double latency = (d.DeviceLinkGBs is null ? d.HostLinkLatencyUs : d.DeviceLinkLatencyUs) * 1e-6;
            seconds += m.Layers * 2 * Shared.CostMath.TransferSeconds(activationBytes * (tp - 1) / tp, link, latency);
        }

        if (pp > 1)
        {
            bool inside = tp * pp <= ScaleUpDomain && d.DeviceLinkGBs is not null;
            double link = (inside ? d.DeviceLinkGBs!.Value : RoceGBs) * 1e9;
            double latency = (inside ? d.DeviceLinkLatencyUs : RoceLatencyUs) * 1e-6;
            seconds += (pp - 1) * Shared.CostMath.TransferSeconds(activationBytes / tp, link, latency);
        }

        return seconds;
    }
}
