using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning.Tco;

/// <summary>Prompt and generated token counts of a request.</summary>
public sealed record TokenShape(string Name, int Prompt, int Output);
