using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Ir;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Orchestration;

/// <summary>
/// Measured node times per (node, device) of one graph: an exponentially weighted mean, the best mean seen, and the
/// mean the current plan was made with. Feeds the placement policy, admission control and slow-down detection.
/// Beside the wall time (what a request waits for) it keeps the on-CPU time (the synchronous part of each run, up to
/// the operator's first incomplete await): what an unbounded device's work costs its cores (see <see cref="OccupancyMilliseconds"/>).
/// Every run also goes to the host's calibration store (<see cref="CalibrationHistory"/>, <see cref="AgentRuntime.Calibration"/>), which the planners read.
/// </summary>
internal sealed class NodeEstimates : INodeTimeEstimates
{
    /// <summary>Weight of a new sample in the mean.</summary>
    public const double Alpha = 0.3;

    /// <summary>Weight of a new sample in the variance (slower than the mean's: the spread of a node is a steadier property than its level).</summary>
    public const double VarianceAlpha = 0.1;

    /// <summary>The standard error of the exponentially weighted mean in standard deviations of a run: √(α / (2 − α)).</summary>
    public static readonly double MeanError = Math.Sqrt(Alpha / (2 - Alpha));

    /// <summary>Samples before a mean counts as a measurement (and before slow-down detection).</summary>
    public const int MinSamples = 3;

    private readonly Entry[] _entries;
    private readonly int _devices;
    private readonly DeviceQueue[] _queues;
    private readonly long _maxAgeTicks;
    private readonly Dictionary<IAgentDevice, int> _deviceIndex;
    private readonly CalibrationHistory? _calibration;
    private readonly IReadOnlyList<NodeDefinition>? _nodes;

    /// <summary>Creates the estimates of a graph's <paramref name="nodes"/> nodes on <paramref name="queues"/>.</summary>
    /// <param name="nodes">The node count.</param>
    /// <param name="queues">The devices.</param>
    /// <param name="maxAge">The estimate lifetime.</param>
    /// <param name="calibration">The host's calibration store, fed with every run (by operator, device name and size) for the planners.</param>
    /// <param name="definitions">The graph's nodes, by id (needed with <paramref name="calibration"/>).</param>
    public NodeEstimates(int nodes, DeviceQueue[] queues, TimeSpan maxAge, CalibrationHistory? calibration = null, IReadOnlyList<NodeDefinition>? definitions = null)
    {
        _calibration = definitions is null ? null : calibration;
        _nodes = definitions;
        _devices = queues.Length;
        _queues = queues;
        _entries = new Entry[nodes * queues.Length];
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i] = new Entry();
        }

        _maxAgeTicks = (long)(maxAge.TotalSeconds * Stopwatch.Frequency);
        _deviceIndex = queues.ToDictionary<DeviceQueue, IAgentDevice, int>(q => q.Device, q => q.Index, ReferenceEqualityComparer.Instance);
    }

    /// <summary>A slow-down must also add this much to the node's time (sub-millisecond nodes jitter by more than any factor).</summary>
    public const double MinSlowdownMs = 1;

    /// <summary>Samples whose median decides a slow-down (robust to a couple of outliers such as timer jitter).</summary>
    public const int Window = 5;

    /// <summary>
    /// Records one run; returns true when the median of the last <see cref="Window"/> runs since the plan exceeds
    /// <paramref name="slowdownFactor"/> × the mean the plan was made with.
    /// </summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="device">The device index.</param>
    /// <param name="milliseconds">The run's wall time.</param>
    /// <param name="cpuMilliseconds">The part of it spent in the synchronous part of the run (on a core).</param>
    /// <param name="slowdownFactor">The re-planning factor.</param>
    /// <param name="now">The run's end (Stopwatch ticks).</param>
    public RecordResult Record(int nodeId, int device, double milliseconds, double cpuMilliseconds, double slowdownFactor, long now)
    {
        if (_nodes is { } nodes)
        {
            var node = nodes[nodeId];
            _calibration!.Record(node.Operator, _queues[device].Device.Descriptor.Name, CostModel.InputSize(node), milliseconds / 1000);
        }

        var e = _entries[(nodeId * _devices) + device];
        lock (e)
        {
            // The first samples (JIT compilation, cold caches) can be far off: the mean starts as the median of the first
            // three, and until then the node counts as unmeasured. An old mean that has expired starts again from what
            // the device does now.
            e.Samples++;
            bool restarted = e.Samples > MinSamples && now - e.LastSample > _maxAgeTicks;
            if (e.Samples == MinSamples)
            {
                // A first spread that one outlier (JIT compilation) cannot inflate: the smaller gap to the median.
                double lo = Math.Min(Math.Min(e.First[0], e.First[1]), milliseconds), hi = Math.Max(Math.Max(e.First[0], e.First[1]), milliseconds);
                double middle = Median3(e.First[0], e.First[1], milliseconds);
                e.Variance = Math.Pow(Math.Min(middle - lo, hi - middle), 2);
            }
            else if (e.Samples > MinSamples && !restarted)
            {
                double deviation = milliseconds - e.Mean;
                e.Variance = (1 - VarianceAlpha) * (e.Variance + (VarianceAlpha * deviation * deviation));
            }

            e.Mean = Update(e.Mean, e.First, e.Samples, restarted, Despike(e.Previous, e.Samples, restarted, milliseconds));
            e.CpuMean = Update(e.CpuMean, e.FirstCpu, e.Samples, restarted, Despike(e.PreviousCpu, e.Samples, restarted, Math.Min(cpuMilliseconds, milliseconds)));

            e.SincePlan++;
            e.Recent[e.SincePlan % Window] = milliseconds;
            e.LastSample = now;
            if (e.Samples >= MinSamples)
            {
                e.Best = Math.Min(e.Best, e.Mean);
            }

            // The reference is the lowest mean reached under this plan (a node first measured under it sets its own after a
            // few samples), so a slow start such as JIT compilation does not hide a later slow-down.
            if (e.SincePlan >= MinSamples)
            {
                e.PlannedMean = Math.Min(e.PlannedMean ?? double.PositiveInfinity, e.Mean);
            }

            if (e.Samples == MinSamples || restarted)
            {
                return RecordResult.NewEstimate;
            }

            if (e.PlannedMean is not { } planned || e.SincePlan < Window)
            {
                return RecordResult.None;
            }

            // Once a full window has been judged, a sample under the threshold cannot turn the median over it (three of the
            // last five would have to be over, so the previous window's median already was): only a slow sample pays.
            double threshold = Math.Max(slowdownFactor * planned, planned + MinSlowdownMs);
            if (e.SincePlan > Window && milliseconds <= threshold)
            {
                return RecordResult.None;
            }

            double median = Median5(e.Recent);
            return median > slowdownFactor * planned && median - planned > MinSlowdownMs ? RecordResult.Slowdown : RecordResult.None;
        }
    }

    /// <summary>Marks the start of a new plan: slow-down is judged against the means as they are now.</summary>
    public void OnPlanned()
    {
        foreach (var e in _entries)
        {
            lock (e)
            {
                // A stale mean has just been planned with as the best the device did: restart the mean from there,
                // so a recovered device is judged on its new samples, not on the slow ones it was moved away for.
                double fresh = FreshMean(e);
                if (e.Samples >= MinSamples && fresh != e.Mean)
                {
                    e.Mean = fresh;
                }

                e.PlannedMean = e.Samples >= MinSamples ? fresh : null;
                e.SincePlan = 0;
            }
        }
    }

    /// <summary>The expected time in milliseconds, or NaN when unmeasured.</summary>
    public double Milliseconds(int nodeId, int device) => Milliseconds(nodeId, device, Stopwatch.GetTimestamp());

    /// <summary>The current mean in milliseconds, or NaN before three samples; lock-free, no staleness rule.</summary>
    public double MeanOrNaN(int nodeId, int device)
    {
        var e = _entries[(nodeId * _devices) + device];
        return Volatile.Read(ref e.Samples) < MinSamples ? double.NaN : Volatile.Read(ref e.Mean);
    }

    /// <summary>The expected time in milliseconds at <paramref name="now"/>, or NaN when unmeasured; lock-free (a read may be one sample behind).</summary>
    public double Milliseconds(int nodeId, int device, long now)
    {
        var e = _entries[(nodeId * _devices) + device];
        if (Volatile.Read(ref e.Samples) < MinSamples)
        {
            return double.NaN;
        }

        double mean = Volatile.Read(ref e.Mean);
        double best = Volatile.Read(ref e.Best);
        return now - Volatile.Read(ref e.LastSample) > _maxAgeTicks && !double.IsPositiveInfinity(best) ? best : mean;
    }

    /// <summary>The standard deviation of the node's time on the device in milliseconds (exponentially weighted), or 0 when unmeasured; lock-free.</summary>
    public double StdDevMilliseconds(int nodeId, int device)
    {
        var e = _entries[(nodeId * _devices) + device];
        return Volatile.Read(ref e.Samples) < MinSamples ? 0 : Math.Sqrt(Volatile.Read(ref e.Variance));
    }

    /// <summary>
    /// The standard normal quantile of <paramref name="percentile"/>, clamped to [0.5, 0.999] (0 to 3.09): how many
    /// standard deviations above the mean the percentile lies, for sums of many runs (Abramowitz and Stegun 26.2.23,
    /// error under 5e-4).
    /// </summary>
    public static double NormalQuantile(double percentile)
    {
        double q = 1 - Math.Clamp(percentile, 0.5, 0.999);
        double t = Math.Sqrt(-2 * Math.Log(q));
        return Math.Max(0, t - ((2.515517 + (0.802853 * t) + (0.010328 * t * t)) / (1 + (1.432788 * t) + (0.189269 * t * t) + (0.001308 * t * t * t))));
    }

    /// <summary>
    /// What one run of the node takes from the device's capacity, in milliseconds (NaN when unmeasured): on a device
    /// with a bounded queue, its wall time (it holds a slot throughout, awaits included); on an unbounded one (the
    /// default CPU device), only its on-CPU time: time spent awaiting I/O adds to a request's latency, not to the cores'
    /// backlog.
    /// </summary>
    public double OccupancyMilliseconds(int nodeId, int device, long now)
    {
        double wall = Milliseconds(nodeId, device, now);
        if (double.IsNaN(wall) || _queues[device].Capacity != int.MaxValue)
        {
            return wall;
        }

        return Math.Min(wall, Volatile.Read(ref _entries[(nodeId * _devices) + device].CpuMean));
    }

    public bool TryGetMilliseconds(int nodeId, IAgentDevice device, out double milliseconds)
    {
        milliseconds = _deviceIndex.TryGetValue(device, out int index) ? Milliseconds(nodeId, index) : double.NaN;
        return !double.IsNaN(milliseconds);
    }

    public double BestMilliseconds(int nodeId)
    {
        double best = double.PositiveInfinity;
        for (int d = 0; d < _devices; d++)
        {
            var e = _entries[(nodeId * _devices) + d];
            lock (e)
            {
                best = Math.Min(best, e.Samples >= MinSamples ? e.Best : double.PositiveInfinity);
            }
        }

        return double.IsPositiveInfinity(best) ? double.NaN : best;
    }

    public double BacklogMilliseconds(IAgentDevice device)
    {
        return _deviceIndex.TryGetValue(device, out int index) ? _queues[index].BacklogMilliseconds : 0;
    }

    /// <summary>The median of five values without sorting (the third smallest).</summary>
    internal static double Median5(double[] v)
    {
        double a = v[0], b = v[1], c = v[2], d = v[3], e = v[4];
        if (a > b) (a, b) = (b, a);
        if (c > d) (c, d) = (d, c);
        if (a > c) { (a, c) = (c, a); (b, d) = (d, b); } // a is now the smallest of four: drop it
        a = e;
        if (a > b) (a, b) = (b, a);
        if (a > c) { (a, c) = (c, a); (b, d) = (d, b); } // a is the smaller of the remaining minima: drop it
        return Math.Min(b, c);
    }

    /// <summary>The next mean after <paramref name="sample"/>, the <paramref name="samples"/>-th (the first ones kept in <paramref name="first"/>).</summary>
    private static double Update(double mean, double[] first, int samples, bool restarted, double sample)
    {
        if (samples < MinSamples)
        {
            first[samples - 1] = sample;
            return sample;
        }

        if (samples == MinSamples)
        {
            return Median3(first[0], first[1], sample);
        }

        return restarted ? sample : (Alpha * sample) + ((1 - Alpha) * mean);
    }

    /// <summary>
    /// A run's time as the mean takes it: from the fourth run on (not right after a restart), the median of it and the two
    /// runs before, so one outlier (a GC pause, a page fault) never moves the estimate, while a lasting change moves it one
    /// run later. The calibration store's robustness, as <c>CalibrationHistory</c>'s median gives the planners theirs.
    /// </summary>
    private static double Despike(double[] previous, int samples, bool restarted, double sample)
    {
        double filtered = samples > MinSamples && !restarted ? Median3(previous[0], previous[1], sample) : sample;
        previous[0] = previous[1];
        previous[1] = sample;
        return filtered;
    }

    private static double Median3(double a, double b, double c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));

    /// <summary>A mean not refreshed for the maximum age reads as the best the device did (so it gets tried again).</summary>
    private double FreshMean(Entry e) =>
        e.Samples >= MinSamples && Stopwatch.GetTimestamp() - e.LastSample > _maxAgeTicks && !double.IsPositiveInfinity(e.Best) ? e.Best : e.Mean;

    /// <summary>What a measurement changed.</summary>
    public enum RecordResult
    {
        /// <summary>Nothing the runtime must act on.</summary>
        None,

        /// <summary>The node's estimate on the device is new: its third sample, or a sample after the old mean expired.</summary>
        NewEstimate,

        /// <summary>The node has slowed down on the device beyond the re-planning factor.</summary>
        Slowdown,
    }

    private sealed class Entry
    {
        public double Mean;
        public double CpuMean;
        public double Variance;
        public int Samples;
        public int SincePlan;
        public double Best = double.PositiveInfinity;
        public long LastSample;
        public double? PlannedMean;
        public double[] Recent = new double[Window];
        public double[] First = new double[MinSamples - 1];
        public double[] FirstCpu = new double[MinSamples - 1];
        public double[] Previous = new double[2];
        public double[] PreviousCpu = new double[2];
    }
}
