using AgentDsl.Generated;
using AgentDsl.Ir;

namespace AgentDsl.Devices;

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
