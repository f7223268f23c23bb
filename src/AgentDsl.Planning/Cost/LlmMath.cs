namespace AgentDsl.Planning.Cost;

/// <summary>The paper's LLM formulas: weights, FLOPs, KV-cache size and the disaggregation bandwidths.</summary>
public static class LlmMath
{
    /// <summary>Bytes per element at a precision (FP16 when unspecified).</summary>
    public static double BytesPerElement(Precision precision) => Shared.CostMath.BytesPerElement(precision);

    /// <summary>
    /// KV-cache bytes: <c>2 · layers · hidden · (kvHeads / heads) · tokens · batch · bytesPerElement</c>
    /// (keys and values, for every layer, per token).
    /// </summary>
    public static double KvBytes(int layers, int hiddenSize, int heads, int kvHeads, double tokens, double batch, double bytesPerElement)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        return Shared.CostMath.KvBytes(layers, hiddenSize, heads, kvHeads, tokens, batch, bytesPerElement);
    }

    /// <summary>Egress bandwidth (bytes/s) per prefill device for non-blocking disaggregation: <c>KV / (TTFT · prefill devices)</c>.</summary>
    public static double EgressBytesPerSecond(double kvBytes, double ttftSeconds, int prefillDevices) => kvBytes / (ttftSeconds * prefillDevices);

    /// <summary>
    /// Ingress bandwidth (bytes/s) per decode device read literally from the paper: <c>KV / (TBT · decode devices)</c>.
    /// It asks for the whole cache within one token time; the planner instead requires the cache to arrive
    /// within the time to first token (the egress rate), since decode cannot start before it.
    /// </summary>
    public static double IngressBytesPerSecondLiteral(double kvBytes, double tbtSeconds, int decodeDevices) => kvBytes / (tbtSeconds * decodeDevices);

    /// <summary>Prefill FLOPs: <c>2 · parameters · promptTokens · batch</c>.</summary>
    public static double PrefillFlops(double parameters, double promptTokens, double batch) => Shared.CostMath.PrefillFlops(parameters, promptTokens, batch);

    /// <summary>Decode FLOPs for all generated tokens: <c>2 · parameters · outputTokens · batch</c>.</summary>
    public static double DecodeFlops(double parameters, double outputTokens, double batch) => Shared.CostMath.DecodeFlops(parameters, outputTokens, batch);

    /// <summary>
    /// An LLM call's work by phase for a model of this shape and a request of this many prompt and output tokens (one
    /// sequence): the same composition the planner's decomposition and the analyzers use.
    /// </summary>
    public static LlmPhaseWork PhaseWork(double parameters, int layers, int hiddenSize, int heads, int kvHeads, Precision precision, int promptTokens, int outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        var w = Shared.CostMath.ModelWork(parameters, layers, hiddenSize, heads, kvHeads, precision, promptTokens, outputTokens, batch: 1);
        return new LlmPhaseWork(w.PrefillFlops, w.PrefillBytes, w.KvBytes, w.DecodeFlops, w.DecodeBytes);
    }
}
