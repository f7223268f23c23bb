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
