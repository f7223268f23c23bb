using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>One study configuration: model, precision, token shape and SLA regime.</summary>
public sealed record TcoConfiguration(LlmSpec Model, TokenShape Shape, SlaRegime Regime)
{
    /// <summary>A short label, for example <c>8B FP16 reasoning interactive</c>.</summary>
    public string Label => $"{Model.Name.Replace("Llama-3-", "", StringComparison.Ordinal)} {Model.Precision.ToString().ToUpperInvariant()} {Shape.Name} {Regime.ToString().ToLowerInvariant()}";
}
