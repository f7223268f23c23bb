using AgentDsl.Ir;

namespace AgentDsl.Execution;

/// <summary>How one node of a request ran.</summary>
/// <param name="NodeId">The node id.</param>
/// <param name="Name">The node name.</param>
/// <param name="Device">The device it ran on.</param>
/// <param name="Started">When it started, relative to the request's start.</param>
/// <param name="Duration">How long it ran.</param>
public sealed record NodeRun(int NodeId, string Name, string Device, TimeSpan Started, TimeSpan Duration)
{
    /// <summary>0 when the first attempt succeeded; otherwise how many attempts failed (or were refused) before.</summary>
    public int Attempt { get; init; }

    /// <summary>How many requests' invocations ran together in the node's batch (1 when it ran alone).</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// The phases a device reported for the node (an LLM call split into prefill, KV transfer and decode, possibly on
    /// different engine contexts); empty for nodes that ran as one piece.
    /// </summary>
    public IReadOnlyList<PhaseRun> Phases { get; init; } = [];

    /// <summary>When it finished, relative to the request's start.</summary>
    public TimeSpan Finished => Started + Duration;
}
