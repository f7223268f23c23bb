namespace AgentDsl.Ir;

/// <summary>A typed edge: the value <see cref="From"/> feeds parameter <see cref="Parameter"/> of node <see cref="To"/>.</summary>
/// <param name="From">A graph input or a node result.</param>
/// <param name="To">The consuming node id.</param>
/// <param name="Parameter">The consuming operator's parameter.</param>
/// <param name="Type">The value's C# type.</param>
public sealed record EdgeDefinition(ValueRef From, int To, string Parameter, string Type);
