using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Tco;

/// <summary>An LLM as the serving model needs it.</summary>
public sealed record LlmSpec(string Name, double Parameters, int Layers, int Hidden, int Heads, int KvHeads, Precision Precision)
{
    /// <summary>Bytes per weight and KV element.</summary>
    public double BytesPerElement => LlmMath.BytesPerElement(Precision);

    /// <summary>Weight bytes.</summary>
    public double WeightBytes => Parameters * BytesPerElement;

    /// <summary>KV-cache bytes per token per request.</summary>
    public double KvBytesPerToken => LlmMath.KvBytes(Layers, Hidden, Heads, KvHeads, 1, 1, BytesPerElement);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Precision}";
}
