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

/// <summary>
/// The far side of a <see cref="RemoteAgentDevice"/>: runs a <see cref="NodeInvocation"/> against a local instance of
/// <typeparamref name="TGraph"/> through the generated invoker and answers with a <see cref="NodeCompletion"/>.
/// </summary>
/// <typeparam name="TGraph">The graph class.</typeparam>
/// <param name="graph">The graph instance whose operators run here.</param>
public sealed class NodeInvocationExecutor<TGraph>(TGraph graph)
    where TGraph : class, IAgentGraph<TGraph>
{
    /// <summary>Runs the node; failures come back as a <see cref="NodeError"/>, never as an exception.</summary>
    /// <param name="invocation">The node and the values it reads (already of the operator's parameter types).</param>
    /// <param name="cancellationToken">Cancels the operator.</param>
    public async Task<NodeCompletion> ExecuteAsync(NodeInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var definition = TGraph.Definition;
        if (invocation.Graph != definition.Name || invocation.NodeId < 0 || invocation.NodeId >= definition.Nodes.Length
            || definition.Nodes[invocation.NodeId].Name != invocation.Node)
        {
            return new NodeCompletion(invocation.RequestId, invocation.NodeId, null, new NodeError(
                nameof(ArgumentException),
                $"This executor runs graph '{definition.Name}'; it has no node {invocation.NodeId} named '{invocation.Node}' of graph '{invocation.Graph}'.",
                DeviceUnavailable: false));
        }

        var inputs = new object?[definition.Inputs.Length];
        var values = new NodeValues(inputs, definition.Nodes.Length);
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Source.Source == ValueSource.Input)
            {
                inputs[argument.Source.Index] = argument.Value;
            }
            else
            {
                values.SetResult(argument.Source.Index, argument.Value);
            }
        }

        try
        {
            await TGraph.InvokeNodeAsync(graph, invocation.NodeId, values, cancellationToken).ConfigureAwait(false);
            return new NodeCompletion(invocation.RequestId, invocation.NodeId, values.Result(invocation.NodeId), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new NodeCompletion(invocation.RequestId, invocation.NodeId, null, new NodeError(ex.GetType().FullName ?? ex.GetType().Name, ex.Message, ex is DeviceUnavailableException));
        }
    }
}
