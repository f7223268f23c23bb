using System.Diagnostics;
using AgentDsl.Devices;

namespace AgentDsl.Orchestration;

/// <summary>
/// Measured node times per (node, device) of one graph: an exponentially weighted mean, the best mean seen, and the
/// mean the current plan was made with. Feeds the placement policy, admission control and slow-down detection.
/// </summary>
internal sealed class NodeEstimates : INodeTimeEstimates
{
    /// <summary>Weight of a new sample in the mean.</summary>
    public const double Alpha = 0.3;

    /// <summary>Samples before a mean counts as a measurement (and before slow-down detection).</summary>
    public const int MinSamples = 3;

    private readonly Entry[] _entries;
    private readonly int _devices;
    private readonly DeviceQueue[] _queues;
    private readonly long _maxAgeTicks;

    public NodeEstimates(int nodes, DeviceQueue[] queues, TimeSpan maxAge)
    {
        _devices = queues.Length;
        _queues = queues;
        _entries = new Entry[nodes * queues.Length];
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i] = new Entry();
        }

        _maxAgeTicks = (long)(maxAge.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Records one run; returns true when the mean has grown past <paramref name="slowdownFactor"/> × the mean the plan was made with.</summary>
    public bool Record(int nodeId, int device, double milliseconds, double slowdownFactor)
    {
        var e = _entries[(nodeId * _devices) + device];
        lock (e)
        {
            e.Mean = e.Samples == 0 ? milliseconds : (Alpha * milliseconds) + ((1 - Alpha) * e.Mean);
            e.Samples++;
            e.SincePlan++;
            e.LastSample = Stopwatch.GetTimestamp();
            if (e.Samples >= MinSamples)
            {
                e.Best = Math.Min(e.Best, e.Mean);
            }

            // A node first measured under this plan sets its own reference after a few samples.
            if (e.PlannedMean is null && e.SincePlan >= MinSamples)
            {
                e.PlannedMean = e.Mean;
            }

            return e.PlannedMean is { } planned && e.SincePlan >= MinSamples && e.Mean > slowdownFactor * Math.Max(planned, 0.01);
        }
    }

    /// <summary>Marks the start of a new plan: slow-down is judged against the means as they are now.</summary>
    public void OnPlanned()
    {
        foreach (var e in _entries)
        {
            lock (e)
            {
                e.PlannedMean = e.Samples >= MinSamples ? FreshMean(e) : null;
                e.SincePlan = 0;
            }
        }
    }

    /// <summary>The expected time in milliseconds, or NaN when unmeasured.</summary>
    public double Milliseconds(int nodeId, int device)
    {
        var e = _entries[(nodeId * _devices) + device];
        lock (e)
        {
            return e.Samples >= 1 ? FreshMean(e) : double.NaN;
        }
    }

    public bool TryGetMilliseconds(int nodeId, IAgentDevice device, out double milliseconds)
    {
        int index = Array.FindIndex(_queues, q => ReferenceEquals(q.Device, device));
        milliseconds = index < 0 ? double.NaN : Milliseconds(nodeId, index);
        return !double.IsNaN(milliseconds);
    }

    public double BacklogMilliseconds(IAgentDevice device)
    {
        var queue = Array.Find(_queues, q => ReferenceEquals(q.Device, device));
        return queue?.BacklogMilliseconds ?? 0;
    }

    /// <summary>A mean not refreshed for the maximum age reads as the best the device did (so it gets tried again).</summary>
    private double FreshMean(Entry e) =>
        e.Samples >= MinSamples && Stopwatch.GetTimestamp() - e.LastSample > _maxAgeTicks && !double.IsPositiveInfinity(e.Best) ? e.Best : e.Mean;

    private sealed class Entry
    {
        public double Mean;
        public int Samples;
        public int SincePlan;
        public double Best = double.PositiveInfinity;
        public long LastSample;
        public double? PlannedMean;
    }
}
