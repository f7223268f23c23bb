using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>The answer to a <see cref="NodeInvocation"/>: the node's result, or why it failed.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="NodeId">The node id.</param>
/// <param name="Result">The node's result (null for a node without one, or on failure).</param>
/// <param name="Error">Why it failed; <see langword="null"/> on success.</param>
public sealed record NodeCompletion(long RequestId, int NodeId, object? Result, NodeError? Error)
{
    /// <summary>Whether the node ran to completion.</summary>
    public bool Succeeded => Error is null;
}
