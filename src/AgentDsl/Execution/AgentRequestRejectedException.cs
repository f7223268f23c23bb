namespace AgentDsl.Execution;

/// <summary>Why the runtime turned a request away at admission.</summary>
public enum RejectionReason
{
    /// <summary>The graph already has as many requests in flight as the runtime allows (backpressure).</summary>
    QueueFull = 1,

    /// <summary>The predicted completion time, with the current queues, is after the request's deadline.</summary>
    DeadlineUnreachable = 2,

    /// <summary>The host is shutting down and admits no new work.</summary>
    ShuttingDown = 3,

    /// <summary>No healthy device can run one of the graph's nodes.</summary>
    NoDevice = 4,
}

/// <summary>
/// A request was rejected at admission, before any of its nodes ran: the runtime could not meet its deadline,
/// was at its in-flight limit, or is shutting down. Nothing of the request ran; it is safe to retry later or elsewhere.
/// </summary>
public sealed class AgentRequestRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="graph">The graph name.</param>
    /// <param name="reason">Why.</param>
    /// <param name="message">One sentence with the numbers.</param>
    public AgentRequestRejectedException(string graph, RejectionReason reason, string message)
        : base($"Graph '{graph}': request rejected ({reason}): {message}")
    {
        Graph = graph;
        Reason = reason;
    }

    /// <summary>The graph name.</summary>
    public string Graph { get; }

    /// <summary>Why the request was rejected.</summary>
    public RejectionReason Reason { get; }

    /// <summary>For <see cref="RejectionReason.DeadlineUnreachable"/>: the predicted latency in milliseconds.</summary>
    public double PredictedMs { get; init; }

    /// <summary>For <see cref="RejectionReason.DeadlineUnreachable"/>: the time left until the deadline, in milliseconds.</summary>
    public double BudgetMs { get; init; }
}

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
