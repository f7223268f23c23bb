using AgentDsl.Generated;
using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>
/// A device that lives elsewhere: each node it runs travels as a serializable <see cref="NodeInvocation"/> through an
/// <see cref="IRemoteNodeTransport"/>, and its result comes back as a <see cref="NodeCompletion"/>. The far side runs
/// it with a <see cref="NodeInvocationExecutor{TGraph}"/> over its own copy of the graph.
/// </summary>
public sealed class RemoteAgentDevice : IAgentDevice
{
    private readonly IRemoteNodeTransport _transport;
    private readonly Func<NodeDefinition, bool> _canRun;

    /// <summary>Creates the device.</summary>
    /// <param name="descriptor">What the remote device is (name, kind, concurrency, price); marked remote.</param>
    /// <param name="transport">The way there.</param>
    /// <param name="canRun">Which nodes it runs; by default those whose allowed kinds include the descriptor's kind.</param>
    public RemoteAgentDevice(DeviceDescriptor descriptor, IRemoteNodeTransport transport, Func<NodeDefinition, bool>? canRun = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Descriptor = descriptor with { IsRemote = true };
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _canRun = canRun ?? (node => (node.Cost.AllowedDevices & descriptor.Kind) != 0);
    }

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node) => _canRun(node ?? throw new ArgumentNullException(nameof(node)));

    /// <inheritdoc/>
    public async ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var completion = await _transport.InvokeAsync(work.ToInvocation(), cancellationToken).ConfigureAwait(false);
        work.Complete(completion, Descriptor.Name);
    }
}
