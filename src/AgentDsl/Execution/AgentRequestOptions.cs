namespace AgentDsl.Execution;

/// <summary>Per-request settings; every property is optional.</summary>
public sealed class AgentRequestOptions
{
    /// <summary>
    /// The latency budget of this request from its arrival; defaults to the graph's SLA (<c>LatencySlaMs</c>). The
    /// deadline orders the device queues (earliest deadline first) and decides admission. A budget given here is also
    /// enforced: the request's token is cancelled at the deadline, and the request ends (failed, naming the node that was
    /// running) by the deadline plus <c>AgentDsl:CancellationGrace</c>.
    /// </summary>
    public TimeSpan? Budget { get; init; }

    /// <summary>
    /// Receives text as nodes produce it, before they finish: tokens of an LLM node served by an engine
    /// (llama.cpp) or streamed from an <c>IChatClient</c> endpoint (<c>GetStreamingResponseAsync</c>). Called on
    /// the device's thread, in order per node; keep it short (hand the text to a channel to do more). A node retried
    /// after a failure streams again from its start (<see cref="NodeText.Node"/> and the attempt's text). Nodes that
    /// run their C# body stream nothing; their result is in the request's result as always.
    /// </summary>
    public Action<NodeText>? OnText { get; init; }
}
