using AgentDsl.Execution;

using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>How a batch of requests ended; every request lands in exactly one list.</summary>
internal sealed class Outcomes
{
    public List<AgentRunResult> Completed { get; } = [];

    public List<AgentNodeException> Failed { get; } = [];

    public List<AgentRequestRejectedException> Rejected { get; } = [];

    public List<OperationCanceledException> Cancelled { get; } = [];

    public List<Exception> Other { get; } = [];

    /// <summary>How long each request took, from the call until its task completed, by request index.</summary>
    public TimeSpan[] Durations { get; private set; } = [];

    public int Total => Completed.Count + Failed.Count + Rejected.Count + Cancelled.Count + Other.Count;

    public static async Task<Outcomes> DriveAsync(int count, int concurrency, Func<int, Task<AgentRunResult>> run, TimeSpan? limit = null)
    {
        var outcomes = new Outcomes { Durations = new TimeSpan[count] };
        using var gate = new SemaphoreSlim(concurrency);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                // When the request's task completed, taken where it completed: not when this continuation got a thread.
                var pending = run(i);
                _ = pending.ContinueWith(
                    _ => outcomes.Durations[i] = System.Diagnostics.Stopwatch.GetElapsedTime(started),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                await outcomes.RecordAsync(pending);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();

        // A lost request would hang here: fail loudly instead.
        await Task.WhenAll(tasks).WaitAsync(limit ?? TimeSpan.FromSeconds(60));
        return outcomes;
    }

    /// <summary>Open-loop load: <paramref name="perTick"/> requests every <paramref name="tick"/> for <paramref name="duration"/>, whatever the earlier ones do.</summary>
    public static async Task<Outcomes> DrivePacedAsync(TimeSpan duration, int perTick, TimeSpan tick, Func<int, Task<AgentRunResult>> run, TimeSpan? limit = null)
    {
        var outcomes = new Outcomes();
        var tasks = new List<Task>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int i = 0;
        while (clock.Elapsed < duration)
        {
            for (int k = 0; k < perTick; k++)
            {
                tasks.Add(outcomes.RecordAsync(run(i++)));
            }

            await Task.Delay(tick);
        }

        await Task.WhenAll(tasks).WaitAsync(limit ?? TimeSpan.FromSeconds(60));
        return outcomes;
    }

    /// <summary>Waits for one request and files its outcome.</summary>
    public async Task RecordAsync(Task<AgentRunResult> request)
    {
        try
        {
            var result = await request;
            lock (this)
            {
                Completed.Add(result);
            }
        }
        catch (Exception ex)
        {
            lock (this)
            {
                switch (ex)
                {
                    case AgentNodeException failed: Failed.Add(failed); break;
                    case AgentRequestRejectedException rejected: Rejected.Add(rejected); break;
                    case OperationCanceledException cancelled: Cancelled.Add(cancelled); break;
                    default: Other.Add(ex); break;
                }
            }
        }
    }

    /// <summary>Asserts the batch adds up and matches the runner's own statistics delta.</summary>
    public void AssertAccountedFor(int expected, Counts before, Counts after)
    {
        Assert.Empty(Other);
        Assert.Equal(expected, Total);
        Assert.Equal(expected, after.Submitted - before.Submitted);
        Assert.Equal(Completed.Count, after.Completed - before.Completed);
        Assert.Equal(Failed.Count, after.Failed - before.Failed);
        Assert.Equal(Rejected.Count, after.Rejected - before.Rejected);
        Assert.Equal(Cancelled.Count, after.Cancelled - before.Cancelled);
        Assert.Equal(0, after.InFlight);
    }
}

/// <summary>A copy of a graph's counters at one moment.</summary>
internal sealed record Counts(long Submitted, long Completed, long Failed, long Rejected, long Cancelled, long InFlight)
{
    public static Counts Of(AgentGraphStatistics s) => new(s.Submitted, s.Completed, s.Failed, s.Rejected, s.Cancelled, s.InFlight);
}
