using AgentDsl.Execution;
using AgentDsl.Generated;
using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>One node of one request, handed to a device to run.</summary>
public abstract class NodeWork
{
    /// <summary>Creates the work item.</summary>
    protected NodeWork(string graph, NodeDefinition node, NodeValues values)
    {
        Graph = graph;
        Node = node;
        Values = values;
    }

    /// <summary>The graph name.</summary>
    public string Graph { get; }

    /// <summary>The node to run.</summary>
    public NodeDefinition Node { get; }

    /// <summary>The request's values: inputs and the results of earlier nodes.</summary>
    public NodeValues Values { get; }

    /// <summary>The request, unique within the runtime.</summary>
    public long RequestId { get; init; }

    /// <summary>When the request's latency budget runs out (<see cref="DateTimeOffset.MaxValue"/> without one).</summary>
    public DateTimeOffset Deadline { get; init; } = DateTimeOffset.MaxValue;

    /// <summary>0 for the first try of this node, then 1, 2… for retries.</summary>
    public int Attempt { get; init; }

    /// <summary>Where the caller wants text the node produces while it runs (<see cref="AgentRequestOptions.OnText"/>); null when no one listens.</summary>
    public Action<NodeText>? OnText { get; init; }

    /// <summary>The phases the device reported (<see cref="ReportPhase"/>); empty unless it ran the node in parts.</summary>
    public IReadOnlyList<PhaseRun> Phases => (IReadOnlyList<PhaseRun>?)_phases ?? [];

    private List<PhaseRun>? _phases;

    /// <summary>Records one phase of the node (an LLM call's prefill, KV transfer or decode); it shows in <see cref="NodeRun.Phases"/>.</summary>
    /// <param name="phase">The phase.</param>
    public void ReportPhase(PhaseRun phase)
    {
        ArgumentNullException.ThrowIfNull(phase);
        (_phases ??= []).Add(phase);
    }

    /// <summary>Extra cost the device reported for this node (for example tokens of a paid endpoint), in US dollars.</summary>
    public double ReportedCostUsd { get; private set; }

    /// <summary>Adds a cost beyond the device's busy time (tokens, egress) to the request's cost; the device calls it.</summary>
    /// <param name="usd">US dollars, not negative.</param>
    public void ReportCost(double usd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(usd);
        ReportedCostUsd += usd;
    }

    /// <summary>Runs the operator's managed implementation on the calling thread (the generated invoker, no reflection).</summary>
    public abstract ValueTask InvokeManagedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The node as a serializable message, for a device in another process: the values it reads (graph inputs,
    /// results of earlier nodes, a fan-out's collection) with their IR types.
    /// </summary>
    public NodeInvocation ToInvocation()
    {
        var arguments = new List<NodeArgument>(Node.Inputs.Count + 1);
        if (Node.FanOut is { } collection)
        {
            arguments.Add(new NodeArgument(collection, "collection", ValueOf(collection)));
        }

        foreach (var input in Node.Inputs)
        {
            if (input.Value.Source is ValueSource.Input or ValueSource.Node && !arguments.Exists(a => a.Source == input.Value))
            {
                arguments.Add(new NodeArgument(input.Value, input.Type, ValueOf(input.Value)));
            }
        }

        return new NodeInvocation(RequestId, Graph, Node.Id, Node.Name, Attempt, Deadline, arguments);
    }

    /// <summary>Stores a result that came back from another process as this node's result, or throws its error.</summary>
    /// <param name="completion">The answer.</param>
    /// <param name="device">The device that answered (for the error).</param>
    /// <exception cref="DeviceUnavailableException">The device could not take the work.</exception>
    /// <exception cref="RemoteNodeException">The operator failed over there.</exception>
    public void Complete(NodeCompletion completion, string device)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Error is { } error)
        {
            throw error.DeviceUnavailable
                ? new DeviceUnavailableException(device, error.Message)
                : new RemoteNodeException(device, error);
        }

        if (Node.HasResult)
        {
            Values.SetResult(Node.Id, completion.Result);
        }
    }

    private object? ValueOf(ValueRef value) => value.Source == ValueSource.Input ? Values.Input(value.Index) : Values.Result(value.Index);
}
