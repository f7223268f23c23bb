namespace AgentDsl.Ir;

/// <summary>An argument of a node: which operator parameter it fills and where its value comes from.</summary>
/// <param name="Parameter">The operator's parameter name.</param>
/// <param name="Type">The parameter's C# type.</param>
/// <param name="Value">Where the value comes from.</param>
/// <param name="ConstantText">For <see cref="ValueSource.Constant"/>, the constant as C# source text.</param>
public sealed record NodeInput(string Parameter, string Type, ValueRef Value, string? ConstantText = null);
