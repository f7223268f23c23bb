// THE cost compositions (roofline, transfers, precision by kind, model work and footprint with the default token
// counts, break-even), used by AgentDsl.Planning (CostModel, LlmDecomposition, the planners) and linked into
// AgentDsl.Analyzers (the placement diagnostics), so the two can never disagree. docs/planning.md, "Cost model".
// Linked into a netstandard2.0 Roslyn project: no APIs newer than netstandard2.0 (PolySharp covers the language).
#nullable enable
using System;

namespace AgentDsl.Planning.Shared
{
    /// <summary>What the compositions need of a device at a node's precision (peak and bandwidth already scaled by any efficiency).</summary>
    internal readonly struct DeviceRates
    {
        public DeviceRates(double peakFlopsPerSecond, double bytesPerSecond, double launchSeconds, double hostLinkBytesPerSecond, double hostLatencySeconds)
        {
            PeakFlopsPerSecond = peakFlopsPerSecond;
            BytesPerSecond = bytesPerSecond;
            LaunchSeconds = launchSeconds;
            HostLinkBytesPerSecond = hostLinkBytesPerSecond;
            HostLatencySeconds = hostLatencySeconds;
        }

        public double PeakFlopsPerSecond { get; }

        public double BytesPerSecond { get; }

        public double LaunchSeconds { get; }

        public double HostLinkBytesPerSecond { get; }

        public double HostLatencySeconds { get; }
    }

    /// <summary>An LLM's work for one request, by phase (FLOPs, bytes read, resident bytes), and the prompt's KV cache between them.</summary>
    internal readonly struct LlmWork
    {
        public LlmWork(double prefillFlops, double prefillBytes, double prefillFootprint, double kvBytes, double decodeFlops, double decodeBytes, double decodeFootprint)
        {
            PrefillFlops = prefillFlops;
            PrefillBytes = prefillBytes;
            PrefillFootprint = prefillFootprint;
            KvBytes = kvBytes;
            DecodeFlops = decodeFlops;
            DecodeBytes = decodeBytes;
            DecodeFootprint = decodeFootprint;
        }

        public double PrefillFlops { get; }

        public double PrefillBytes { get; }

        public double PrefillFootprint { get; }

        public double KvBytes { get; }

        public double DecodeFlops { get; }

        public double DecodeBytes { get; }

        public double DecodeFootprint { get; }

        /// <summary>The work of the node as one: prefill and decode together.</summary>
        public double Flops => PrefillFlops + DecodeFlops;

        /// <summary>The bytes of the node as one: prefill and decode together.</summary>
        public double Bytes => PrefillBytes + DecodeBytes;

        /// <summary>The node's resident bytes as one: the weights and the full KV cache (the decode's).</summary>
        public double Footprint => DecodeFootprint;
    }

    /// <summary>The cost compositions: roofline, transfers, precision by kind, LLM work and footprint, break-even.</summary>
    internal static class CostMath
    {
        /// <summary>
        /// Prompt tokens when an LLM operator states none: a system prompt, a question and a few retrieved passages
        /// (the QuickStart's Draft states 512), the short end of the paper's RAG prompts.
        /// </summary>
        public const int DefaultPromptTokens = 512;

        /// <summary>
        /// Generated tokens when an LLM operator states none: a paragraph of answer. Decode time grows with it, so an
        /// operator that generates more should say so (OutputTokens).
        /// </summary>
        public const int DefaultOutputTokens = 128;

        /// <summary>Latency of a copy between two CPU devices (through host memory, no link to cross): 1 µs.</summary>
        public const double CpuCopyLatencySeconds = 1e-6;

        /// <summary>
        /// A node's precision: its model's when stated, else FP16 for model and LLM work (inference runs at half
        /// precision), else FP32 for general compute.
        /// </summary>
        public static Precision PrecisionOf(Precision modelPrecision, OperatorKind kind) =>
            modelPrecision != Precision.Unspecified ? modelPrecision
            : kind is OperatorKind.Model or OperatorKind.Llm ? Precision.Fp16
            : Precision.Fp32;

        /// <summary>Whether a node of this kind with a model description is costed by the LLM formulas.</summary>
        public static bool IsLlm(OperatorKind kind) => kind == OperatorKind.Llm;

        /// <summary>Whether a model description has what the LLM formulas need: layers, hidden size and heads.</summary>
        public static bool CanDescribe(int layers, int hiddenSize, int heads) => layers > 0 && hiddenSize > 0 && heads > 0;

        /// <summary>
        /// The paper's LLM work for one request, filling gaps: parameters ≈ 12 · layers · hidden² when not given, KV heads =
        /// heads, <see cref="DefaultPromptTokens"/> and <see cref="DefaultOutputTokens"/>. Prefill reads the weights once and
        /// writes the prompt's KV cache; decode reads the weights and the average KV cache once per generated token.
        /// </summary>
        public static LlmWork ModelWork(double parameters, int layers, int hiddenSize, int heads, int kvHeads, Precision precision, int promptTokens, int outputTokens, double batch)
        {
            double p = parameters > 0 ? parameters : EstimatedParameters(layers, hiddenSize);
            int kv = kvHeads > 0 ? kvHeads : heads;
            int prompt = promptTokens > 0 ? promptTokens : DefaultPromptTokens;
            int output = outputTokens > 0 ? outputTokens : DefaultOutputTokens;
            double bpe = BytesPerElement(precision);
            double weights = p * bpe;
            double kvPrompt = KvBytes(layers, hiddenSize, heads, kv, prompt, batch, bpe);
            double kvFull = KvBytes(layers, hiddenSize, heads, kv, prompt + output, batch, bpe);
            double kvAverage = KvBytes(layers, hiddenSize, heads, kv, prompt + (output / 2.0), batch, bpe);
            return new LlmWork(
                PrefillFlops(p, prompt, batch), weights + kvPrompt, weights + kvPrompt,
                kvPrompt,
                DecodeFlops(p, output, batch), output * (weights + kvAverage), weights + kvFull);
        }

        /// <summary>
        /// A node's work as the cost model sees it, one node (not decomposed): the stated FLOPs and bytes when either is
        /// given, else the model's (<paramref name="model"/>, null when it has none the formulas can use); the stated
        /// footprint when given, else the model's.
        /// </summary>
        public static (double Flops, double Bytes, double Footprint) NodeWork(double flops, double bytes, double footprint, LlmWork? model)
        {
            bool stated = flops > 0 || bytes > 0;
            return (
                stated || model is null ? flops : model.Value.Flops,
                stated || model is null ? bytes : model.Value.Bytes,
                footprint > 0 || model is null ? footprint : model.Value.Footprint);
        }

        /// <summary>The size a node's work scales with: bytes moved, else FLOPs (0 when neither is stated).</summary>
        public static double InputSize(double flops, double bytes) => bytes > 0 ? bytes : flops;

        /// <summary>Roofline seconds of work on a device: <see cref="RooflineSeconds"/>.</summary>
        public static double Seconds(double flops, double bytes, DeviceRates device) =>
            RooflineSeconds(flops, bytes, device.PeakFlopsPerSecond, device.BytesPerSecond, device.LaunchSeconds);

        /// <summary>
        /// The input size (bytes) above which moving work of <paramref name="flopsPerByte"/> from <paramref name="cpu"/> to
        /// <paramref name="accelerator"/> pays: per byte, the accelerator's roofline plus the host link both ways (inputs
        /// over, results back) against the CPU's; fixed, its launch and both link latencies against the CPU's launch.
        /// </summary>
        public static double OffloadBreakEvenBytes(double flopsPerByte, DeviceRates cpu, DeviceRates accelerator)
        {
            double PerByte(DeviceRates d) => Math.Max(flopsPerByte / d.PeakFlopsPerSecond, 1 / d.BytesPerSecond);
            double acceleratorPerByte = PerByte(accelerator) + (2 / accelerator.HostLinkBytesPerSecond);
            double fixedSeconds = accelerator.LaunchSeconds + (2 * accelerator.HostLatencySeconds) - cpu.LaunchSeconds;
            return BreakEvenBytes(PerByte(cpu), acceleratorPerByte, fixedSeconds);
        }

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

        /// <summary>Peak FLOP/s for a precision: FP32, FP8/INT8/INT4 (FP16 rate without FP8), else FP16 (BF16, unspecified).</summary>
        public static double PeakFlops(double fp32Tflops, double fp16Tflops, double? fp8Tflops, Precision precision) => precision switch
        {
            Precision.Fp32 => fp32Tflops,
            Precision.Fp8 or Precision.Int8 or Precision.Int4 => fp8Tflops ?? fp16Tflops,
            _ => fp16Tflops,
        } * 1e12;

        /// <summary>Bytes per element for a precision; FP16 when unspecified.</summary>
        public static double BytesPerElement(Precision precision) => precision switch
        {
            Precision.Fp32 => 4,
            Precision.Fp8 or Precision.Int8 => 1,
            Precision.Int4 => 0.5,
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
