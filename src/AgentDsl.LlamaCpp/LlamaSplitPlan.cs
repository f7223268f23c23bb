using AgentDsl.Planning.Cost;

namespace AgentDsl.LlamaCpp;

/// <summary>Where one LLM call prefills, and the cost model's predictions for its phases (<see cref="LlamaCppEngine.Choose"/>).</summary>
/// <param name="PrefillOn">The context that prefills (the decode context itself when not split).</param>
/// <param name="Prefill">Predicted prefill time there.</param>
/// <param name="Transfer">Predicted KV transfer time (0 when not split).</param>
/// <param name="Decode">Predicted decode time on the decode context.</param>
public sealed record LlamaSplitPlan(LlamaContextDevice PrefillOn, CostEstimate Prefill, CostEstimate Transfer, CostEstimate Decode);
