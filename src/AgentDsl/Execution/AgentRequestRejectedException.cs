namespace AgentDsl.Execution;

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
