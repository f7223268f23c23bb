using System.Globalization;

namespace AgentDsl.Ir;

/// <summary>A reference to a value of a graph: a graph input, a node result, a constant or the request's cancellation token.</summary>
/// <param name="Source">What kind of value this is.</param>
/// <param name="Index">The input index or node id; 0 for constants and the cancellation token.</param>
public readonly record struct ValueRef(ValueSource Source, int Index)
{
    /// <summary>The graph input at <paramref name="index"/>.</summary>
    public static ValueRef Input(int index) => new(ValueSource.Input, index);

    /// <summary>The result of node <paramref name="id"/>.</summary>
    public static ValueRef Node(int id) => new(ValueSource.Node, id);

    /// <summary>A constant; its text lives on the <see cref="NodeInput"/>.</summary>
    public static ValueRef Constant { get; } = new(ValueSource.Constant, 0);

    /// <summary>The request's cancellation token.</summary>
    public static ValueRef CancellationToken { get; } = new(ValueSource.CancellationToken, 0);

    /// <summary>The current element of a fan-out node's collection.</summary>
    public static ValueRef Element { get; } = new(ValueSource.Element, 0);

    /// <inheritdoc/>
    public override string ToString() => Source switch
    {
        ValueSource.Input => "input" + Index.ToString(CultureInfo.InvariantCulture),
        ValueSource.Node => "node" + Index.ToString(CultureInfo.InvariantCulture),
        ValueSource.Constant => "constant",
        ValueSource.Element => "element",
        _ => "cancellation",
    };
}
