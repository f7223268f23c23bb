using AgentDsl.Generated;
using System.ComponentModel.DataAnnotations;
using AgentDsl.Ir;

namespace AgentDsl.Batching;

/// <summary>How a batchable operator's invocations are grouped.</summary>
public sealed class BatchOptions
{
    /// <summary>The most invocations in one batch; a full batch runs at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchSize { get; set; } = 16;

    /// <summary>
    /// The longest the first invocation of a batch waits for others. Unset: a tenth of the graph's SLA, at most 20 ms
    /// (2 ms without an SLA). Each request also bounds it by its own slack — its deadline, less the node's expected
    /// time and the expected time of the nodes after it — so batching never spends time a request does not have.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan? MaxWait { get; set; }
}
