namespace AgentDsl.Execution;

/// <summary>
/// Running totals of one graph's requests since the host started. Every request submitted ends in exactly one of
/// completed, failed, rejected or cancelled, so <c>Submitted == Completed + Failed + Rejected + Cancelled + InFlight</c>
/// holds at every instant that nothing is mid-update. Thread-safe; read it any time.
/// </summary>
public sealed class AgentGraphStatistics
{
    private long _submitted;
    private long _completed;
    private long _failed;
    private long _cancelled;
    private long _slaMet;
    private long _retries;
    private long _costNanoUsd;
    private readonly long[] _rejected = new long[5];

    /// <summary>Requests handed to the runner.</summary>
    public long Submitted => Interlocked.Read(ref _submitted);

    /// <summary>Requests that completed with a result.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Requests that failed with an exception naming the node.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Requests rejected at admission, any reason.</summary>
    public long Rejected
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _rejected.Length; i++)
            {
                sum += Interlocked.Read(ref _rejected[i]);
            }

            return sum;
        }
    }

    /// <summary>Requests cancelled by their caller (or by host shutdown).</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Completed requests within their deadline.</summary>
    public long SlaMet => Interlocked.Read(ref _slaMet);

    /// <summary>Node attempts retried (on the same device or another).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Requests admitted and not yet ended.</summary>
    public long InFlight => Submitted - Completed - Failed - Rejected - Cancelled;

    /// <summary>Device cost of all completed and failed requests, in US dollars (busy time × hourly price, plus what devices report).</summary>
    public double TotalCostUsd => Interlocked.Read(ref _costNanoUsd) / 1e9;

    /// <summary>SLA attainment: completed within the deadline over every request that ended (rejections and failures count as misses).</summary>
    public double SlaAttainment
    {
        get
        {
            long ended = Completed + Failed + Rejected + Cancelled;
            return ended == 0 ? 1 : (double)SlaMet / ended;
        }
    }

    /// <summary>Requests rejected for <paramref name="reason"/>.</summary>
    public long RejectedFor(RejectionReason reason) => Interlocked.Read(ref _rejected[(int)reason]);

    /// <inheritdoc/>
    public override string ToString() =>
        $"submitted {Submitted}, completed {Completed} ({SlaMet} within SLA), failed {Failed}, rejected {Rejected}, cancelled {Cancelled}, in flight {InFlight}, retries {Retries}, cost ${TotalCostUsd:F6}";

    internal void OnSubmitted() => Interlocked.Increment(ref _submitted);

    internal void OnCompleted(bool metSla, double costUsd)
    {
        AddCost(costUsd);
        if (metSla)
        {
            Interlocked.Increment(ref _slaMet);
        }

        Interlocked.Increment(ref _completed);
    }

    internal void OnFailed(double costUsd)
    {
        AddCost(costUsd);
        Interlocked.Increment(ref _failed);
    }

    internal void OnCancelled() => Interlocked.Increment(ref _cancelled);

    internal void OnRejected(RejectionReason reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    internal void OnRetry() => Interlocked.Increment(ref _retries);

    private void AddCost(double usd)
    {
        if (usd > 0)
        {
            Interlocked.Add(ref _costNanoUsd, (long)Math.Round(usd * 1e9));
        }
    }
}
