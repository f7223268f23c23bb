using AgentDsl.Ir;

namespace AgentDsl.Execution;

/// <summary>
/// A request failed because an operator threw. The message names the graph, the node, the operator and
/// where the call sits in the flow; <see cref="Exception.InnerException"/> is the operator's exception.
/// </summary>
public sealed class AgentNodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentNodeException(string graph, NodeDefinition node, string device, Exception innerException)
        : base(
            $"Graph '{graph}': {(node ?? throw new ArgumentNullException(nameof(node))).Describe()} failed on device '{device}': {innerException?.Message}",
            innerException)
    {
        Graph = graph;
        Node = node;
        Device = device;
    }

    /// <summary>The graph name.</summary>
    public string Graph { get; }

    /// <summary>The node that failed.</summary>
    public NodeDefinition Node { get; }

    /// <summary>The device the node ran on.</summary>
    public string Device { get; }
}
