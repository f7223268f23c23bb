using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>
/// Retries, timeouts and circuit breakers of an operator, built with Polly (Microsoft.Extensions.Resilience). Retries
/// apply only to operators declared <c>[Operator(SafeToRetry = true)]</c> (and to any node whose device reports
/// itself unavailable before starting); a retry runs on whatever device the current plan gives the node, so after a
/// device is taken out it runs elsewhere.
/// </summary>
public sealed class OperatorResilienceOptions
{
    /// <summary>Retries after the first attempt, for operators that are safe to retry.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Wait before a retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long one attempt may run before it is abandoned (and counted as a failure of its device); <see langword="null"/>
    /// uses the graph's SLA (a node running longer than the whole request's budget is hung), none when the graph has no SLA.
    /// An operator that ignores its cancellation token is abandoned, not waited for.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Whether a circuit breaker watches the operator on each device; when it opens the device is taken out for the operator and the graph re-planned.</summary>
    public bool CircuitBreaker { get; set; } = true;

    /// <summary>Failure ratio in the sampling window that opens the breaker.</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts in the sampling window before the breaker may open.</summary>
    [Range(2, 1_000_000)]
    public int MinimumThroughput { get; set; } = 4;

    /// <summary>The breaker's sampling window.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a device stays out before it is probed back in (the breaker's half-open trial).</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
