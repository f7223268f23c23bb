using System.Globalization;

namespace AgentDsl.Ir;

/// <summary>Where a value in a graph comes from.</summary>
public enum ValueSource
{
    /// <summary>A flow parameter (graph input).</summary>
    Input = 0,

    /// <summary>The result of a node.</summary>
    Node = 1,

    /// <summary>A compile-time constant written in the flow.</summary>
    Constant = 2,

    /// <summary>The request's cancellation token.</summary>
    CancellationToken = 3,

    /// <summary>The current element of a fan-out node's collection (<see cref="NodeDefinition.FanOut"/>).</summary>
    Element = 4,
}
