// Shared source: the cost-model arithmetic, compiled into AgentDsl.Planning (the runtime planners) and
// AgentDsl.Analyzers (the placement diagnostics), so the two can never disagree.
#nullable enable
using System;

namespace AgentDsl.Planning.Shared
{
    /// <summary>The roofline, transfer, LLM and break-even formulas of the cost model.</summary>
    internal static class CostMath
    {
        /// <summary>max(FLOPs / peak, bytes / bandwidth) + launch overhead, seconds.</summary>
        public static double RooflineSeconds(double flops, double bytes, double peakFlopsPerSecond, double bytesPerSecond, double launchOverheadSeconds)
        {
            double compute = flops > 0 ? flops / peakFlopsPerSecond : 0;
            double memory = bytes > 0 ? bytes / bytesPerSecond : 0;
            return Math.Max(compute, memory) + launchOverheadSeconds;
        }

        /// <summary>Bytes over a link plus its latency, seconds.</summary>
        public static double TransferSeconds(double bytes, double linkBytesPerSecond, double latencySeconds) =>
            bytes <= 0 ? 0 : (bytes / linkBytesPerSecond) + latencySeconds;

        /// <summary>Peak FLOP/s for a precision (AgentDsl.Precision as int): FP32, FP8/INT8/INT4 (FP16 rate without FP8), else FP16.</summary>
        public static double PeakFlops(double fp32Tflops, double fp16Tflops, double? fp8Tflops, int precision) =>
            (precision == 1 ? fp32Tflops : precision >= 4 ? (fp8Tflops ?? fp16Tflops) : fp16Tflops) * 1e12;

        /// <summary>Bytes per element for a precision (AgentDsl.Precision as int); FP16 when unspecified.</summary>
        public static double BytesPerElement(int precision) => precision switch
        {
            1 => 4,
            4 or 5 => 1,
            6 => 0.5,
            _ => 2,
        };

        /// <summary>KV-cache bytes: 2 · layers · hidden · (kvHeads / heads) · tokens · batch · bytesPerElement.</summary>
        public static double KvBytes(int layers, int hiddenSize, int heads, int kvHeads, double tokens, double batch, double bytesPerElement) =>
            2.0 * layers * hiddenSize * ((double)kvHeads / heads) * tokens * batch * bytesPerElement;

        /// <summary>Prefill FLOPs: 2 · parameters · promptTokens · batch.</summary>
        public static double PrefillFlops(double parameters, double promptTokens, double batch) => 2.0 * parameters * promptTokens * batch;

        /// <summary>Decode FLOPs for all generated tokens: 2 · parameters · outputTokens · batch.</summary>
        public static double DecodeFlops(double parameters, double outputTokens, double batch) => 2.0 * parameters * outputTokens * batch;

        /// <summary>Parameters when only the shape is known: ≈ 12 · layers · hidden².</summary>
        public static double EstimatedParameters(int layers, int hiddenSize) => 12.0 * layers * hiddenSize * (double)hiddenSize;

        /// <summary>
        /// The input size at which offloading pays: the accelerator's extra fixed time divided by how much less it
        /// spends per byte (work plus the link both ways); infinite when it never spends less.
        /// </summary>
        public static double BreakEvenBytes(double cpuSecondsPerByte, double acceleratorSecondsPerByte, double extraFixedSeconds) =>
            acceleratorSecondsPerByte >= cpuSecondsPerByte ? double.PositiveInfinity : Math.Max(0, extraFixedSeconds / (cpuSecondsPerByte - acceleratorSecondsPerByte));
    }
}
