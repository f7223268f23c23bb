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
