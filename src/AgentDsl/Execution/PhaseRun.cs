namespace AgentDsl.Execution;

/// <summary>
/// One phase of a node that a device ran in parts — an LLM call's prefill, KV transfer and decode — with where it
/// ran, how long it took and what the cost model predicted for it (<see cref="NodeRun.Phases"/>).
/// </summary>
/// <param name="Phase">The phase: <c>prefill</c>, <c>kv-transfer</c> or <c>decode</c> for an LLM call.</param>
/// <param name="Device">The device (engine context) it ran on; for a transfer, <c>from→to</c>.</param>
/// <param name="Duration">Measured time.</param>
/// <param name="Predicted">What the cost chain predicted before it ran (measured median, else roofline from the device's figures).</param>
/// <param name="Tokens">Tokens processed (prompt tokens for prefill, tokens generated for decode, tokens in the cache for a transfer).</param>
/// <param name="Bytes">Bytes moved (the KV state for a transfer; 0 otherwise).</param>
public sealed record PhaseRun(string Phase, string Device, TimeSpan Duration, TimeSpan Predicted, int Tokens, long Bytes = 0)
{
    /// <summary>Which link of the cost chain gave <see cref="Predicted"/>: <c>measured</c>, <c>roofline</c> or <c>prior</c>.</summary>
    public string PredictedBy { get; init; } = "";
}
