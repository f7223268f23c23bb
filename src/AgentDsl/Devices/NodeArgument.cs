using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>One value a node reads.</summary>
/// <param name="Source">Where the value comes from in the graph (a graph input or a node result).</param>
/// <param name="Type">Its C# type as the IR spells it (for example <c>string</c>, <c>float[]</c>).</param>
/// <param name="Value">The value.</param>
public sealed record NodeArgument(ValueRef Source, string Type, object? Value);
