using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>
/// One node of one request, as a message: what a device in another process or machine needs to run it. Every
/// field is plain data (no delegates, no request state), so the message serializes with System.Text.Json or an
/// Orleans codec; the argument values are whatever the operator takes, and their serializer is the transport's.
/// </summary>
/// <param name="RequestId">The request, unique within the sending runtime.</param>
/// <param name="Graph">The graph name.</param>
/// <param name="NodeId">The node id in the graph definition.</param>
/// <param name="Node">The node name (for errors and logs).</param>
/// <param name="Attempt">0 for the first try, then 1, 2… for retries.</param>
/// <param name="Deadline">When the request's latency budget runs out.</param>
/// <param name="Arguments">The values the node reads: graph inputs and results of earlier nodes.</param>
public sealed record NodeInvocation(
    long RequestId,
    string Graph,
    int NodeId,
    string Node,
    int Attempt,
    DateTimeOffset Deadline,
    IReadOnlyList<NodeArgument> Arguments);

/// <summary>One value a node reads.</summary>
/// <param name="Source">Where the value comes from in the graph (a graph input or a node result).</param>
/// <param name="Type">Its C# type as the IR spells it (for example <c>string</c>, <c>float[]</c>).</param>
/// <param name="Value">The value.</param>
public sealed record NodeArgument(ValueRef Source, string Type, object? Value);

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

/// <summary>A failure reported across a device boundary.</summary>
/// <param name="ExceptionType">The exception's type name.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="DeviceUnavailable">Whether the device could not take the work at all (it did not start: safe to run elsewhere).</param>
public sealed record NodeError(string ExceptionType, string Message, bool DeviceUnavailable);

/// <summary>A node failed on a remote device; the message and type are the remote exception's.</summary>
public sealed class RemoteNodeException : Exception
{
    /// <summary>Creates the exception from the remote error.</summary>
    public RemoteNodeException(string device, NodeError error)
        : base($"On remote device '{device}': {(error ?? throw new ArgumentNullException(nameof(error))).ExceptionType}: {error.Message}")
    {
        Device = device;
        Error = error;
    }

    /// <summary>The remote device.</summary>
    public string Device { get; }

    /// <summary>The error as reported.</summary>
    public NodeError Error { get; }
}
