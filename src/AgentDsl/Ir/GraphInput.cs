namespace AgentDsl.Ir;

/// <summary>A flow parameter that the caller supplies with each request.</summary>
/// <param name="Index">Position among the graph's inputs (cancellation tokens excluded).</param>
/// <param name="Name">The parameter name.</param>
/// <param name="Type">The C# type, as written in diagnostics (for example <c>float[]</c>).</param>
public sealed record GraphInput(int Index, string Name, string Type);
