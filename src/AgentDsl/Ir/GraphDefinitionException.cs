using System.Collections.Immutable;
using System.Runtime.InteropServices;
using AgentDsl.Ir.Topology;

namespace AgentDsl.Ir;

/// <summary>Thrown when a <see cref="GraphDefinition"/> is malformed.</summary>
public sealed class GraphDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="graph">The graph name.</param>
    /// <param name="problem">What is wrong, naming the node.</param>
    public GraphDefinitionException(string graph, string problem)
        : base($"Graph '{graph}' is malformed: {problem}.")
    {
        Graph = graph;
        Problem = problem;
    }

    /// <summary>The graph name (for <see cref="GraphImport"/>, the file).</summary>
    public string Graph { get; }

    /// <summary>What is wrong, naming the node.</summary>
    public string Problem { get; }
}
