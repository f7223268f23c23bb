namespace AgentDsl.Planning.Cost;

/// <summary>
/// An LLM call's work by phase, as the cost model composes it (<see cref="LlmMath.PhaseWork"/>): prefill reads the
/// weights once and computes over the prompt; decode reads the weights and the average KV cache once per generated
/// token; between them the prompt's KV cache moves.
/// </summary>
/// <param name="PrefillFlops">Prefill FLOPs (<c>2 · parameters · prompt tokens</c>).</param>
/// <param name="PrefillBytes">Bytes prefill reads and writes (weights plus the prompt's KV cache).</param>
/// <param name="KvBytes">The prompt's KV cache (<c>2 · layers · kv heads · head dim · tokens · bytes per element</c>).</param>
/// <param name="DecodeFlops">Decode FLOPs for every generated token.</param>
/// <param name="DecodeBytes">Bytes decode reads for every generated token.</param>
public sealed record LlmPhaseWork(double PrefillFlops, double PrefillBytes, double KvBytes, double DecodeFlops, double DecodeBytes);
