using AgentDsl.Generated;
using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>
/// Carries <see cref="NodeInvocation"/> messages to a device in another process or machine and brings back the
/// <see cref="NodeCompletion"/>. Implementations own serialization (JSON, an Orleans codec, gRPC…).
/// </summary>
public interface IRemoteNodeTransport
{
    /// <summary>Sends the node to the remote device and waits for its answer.</summary>
    /// <exception cref="DeviceUnavailableException">The remote device cannot be reached (the node did not start).</exception>
    ValueTask<NodeCompletion> InvokeAsync(NodeInvocation invocation, CancellationToken cancellationToken);
}
