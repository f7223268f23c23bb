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
}
