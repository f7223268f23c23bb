using System.ComponentModel.DataAnnotations;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// One llama.cpp context of the engine (<c>AgentDsl:LlamaCpp:Contexts:{name}</c>): a runtime device named
/// <c>llama:{name}</c> with its own threads and KV cache, sharing the engine's loaded weights.
/// </summary>
public sealed class LlamaContextOptions
{
    /// <summary>Threads llama.cpp uses for this context (prefill and decode); 0: one per processor.</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Sequences (requests) the context holds at once, each with its own KV cache of <see cref="LlamaCppOptions.ContextSize"/> tokens; the device's concurrency.</summary>
    [Range(1, 64)]
    public int Sequences { get; set; } = 1;

    /// <summary>What an hour of this context costs (US dollars), for the runtime's cost per request and cost-aware placement.</summary>
    [Range(0, 1e6)]
    public double HourlyCostUsd { get; set; }

    /// <summary>
    /// FP16 TFLOP/s the cost model assumes for this context (prefill is compute-bound); 0: 0.05 per thread, a stated
    /// default for one AVX-512 core, corrected by measurement after three runs.
    /// </summary>
    [Range(0, 1e4)]
    public double Fp16Tflops { get; set; }

    /// <summary>
    /// Memory bandwidth (GB/s) the cost model assumes for this context (decode is bandwidth-bound); 0: 8 per thread, at
    /// most 40, a stated default corrected by measurement.
    /// </summary>
    [Range(0, 1e5)]
    public double MemoryBandwidthGBs { get; set; }
}
