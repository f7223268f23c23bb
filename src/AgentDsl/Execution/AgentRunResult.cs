using AgentDsl.Ir;

namespace AgentDsl.Execution;

/// <summary>The outcome of a completed request.</summary>
public class AgentRunResult
{
    /// <summary>Creates a result.</summary>
    public AgentRunResult(GraphDefinition graph, object? output, TimeSpan elapsed, IReadOnlyList<NodeRun> nodes)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(nodes);
        Graph = graph;
        OutputValue = output;
        Elapsed = elapsed;
        Nodes = nodes;
    }

    /// <summary>The graph that ran.</summary>
    public GraphDefinition Graph { get; }

    /// <summary>The flow's result, untyped; <see langword="null"/> for a flow without one.</summary>
    public object? OutputValue { get; }

    /// <summary>End-to-end latency.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Per-node timings of the nodes that ran, in node id order (nodes of an <c>if</c> arm not taken are absent).</summary>
    public IReadOnlyList<NodeRun> Nodes { get; }

    /// <summary>The ids of the nodes skipped because their <c>if</c> arm was not taken, in id order; empty for a flow without branches.</summary>
    public IReadOnlyList<int> SkippedNodes { get; init; } = [];

    /// <summary>The request's latency budget (its own, or the graph's SLA); <see langword="null"/> without one.</summary>
    public TimeSpan? Budget { get; init; }

    /// <summary>Device cost of the request in US dollars: busy time on each device at its hourly price, plus what devices reported.</summary>
    public double CostUsd { get; init; }

    /// <summary>The request's id within the runtime (it also tags the node messages sent to remote devices).</summary>
    public long RequestId { get; init; }

    /// <summary>Whether <see cref="Elapsed"/> is within the request's budget (or the graph's SLA; always true without either).</summary>
    public bool MetSla => Budget is { } budget ? Elapsed <= budget : !Graph.Sla.HasLatencyBound || Elapsed <= Graph.Sla.Latency;
}

/// <summary>The outcome of a completed request, with a typed result.</summary>
/// <typeparam name="TOutput">The flow's result type.</typeparam>
public sealed class AgentRunResult<TOutput> : AgentRunResult
{
    /// <summary>Wraps an untyped result.</summary>
    public AgentRunResult(AgentRunResult result)
        : base((result ?? throw new ArgumentNullException(nameof(result))).Graph, result.OutputValue, result.Elapsed, result.Nodes)
    {
        SkippedNodes = result.SkippedNodes;
        Budget = result.Budget;
        CostUsd = result.CostUsd;
        RequestId = result.RequestId;
        Output = (TOutput)result.OutputValue!;
    }

    /// <summary>The flow's result.</summary>
    public TOutput Output { get; }
}
