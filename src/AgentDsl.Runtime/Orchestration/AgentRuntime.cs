using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.Orchestration;

/// <summary>
/// The host's orchestrator state shared by every graph: one earliest-deadline-first queue per device, which devices
/// are in service, and the requests in flight (for draining at shutdown). Resolve it to inspect the device queues.
/// </summary>
public sealed partial class AgentRuntime : IDisposable
{
    private static readonly ConcurrentDictionary<AgentRuntime, byte> Live = new();
    private static readonly object InstrumentsGate = new();
    private static bool _instrumentsCreated;

    private readonly long[] _outUntil;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationToken _shutdownToken;
    private readonly ILogger<AgentRuntime> _logger;
    private readonly long[] _lastBusy;
    private readonly long[] _lastObserved;
    private int _inFlight;
    private volatile bool _stopping;
    private TaskCompletionSource? _drained;

    /// <summary>
    /// The calibration store: every node run of every graph on this host, by operator, device name and size bucket, robust to
    /// outliers (a median). The planners read it through <see cref="Planning.Cost.CostModel"/>(calibration: this) and
    /// <see cref="Planning.Cost.CostChain.ToSpec"/> of the devices in service; resolvable from dependency injection.
    /// </summary>
    public Planning.Cost.CalibrationHistory Calibration { get; }

    /// <summary>Creates the runtime over every registered device.</summary>
    /// <param name="devices">Devices registered one by one.</param>
    /// <param name="deviceSources">Sources of devices (OpenCL, engines).</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="calibration">The host's calibration store (a singleton of its own, so devices such as engines can share it without depending on the runtime); null: a new one.</param>
    public AgentRuntime(IEnumerable<IAgentDevice> devices, IEnumerable<IDeviceSource> deviceSources, IOptions<AgentDslOptions> options, ILogger<AgentRuntime> logger, Planning.Cost.CalibrationHistory? calibration = null)
    {
        Calibration = calibration ?? new();
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(deviceSources);
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _shutdownToken = _shutdown.Token; // read once: requests still ending after Dispose read it (a disposed source's Token throws)
        var all = devices.Concat(deviceSources.SelectMany(s => s.AgentDevices)).Distinct().ToList();
        var names = all.GroupBy(d => d.Descriptor.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (names is not null)
        {
            throw new InvalidOperationException($"Two devices are named '{names.Key}'; device names must be unique (they key options, metrics and plans).");
        }

        var o = options.Value;
        Queues = [.. all.Select((d, i) =>
        {
            // Configuration keys cannot hold ':', so opencl:0:1 may also be written opencl-0-1.
            var device = o.DeviceOptionsFor(d.Descriptor.Name);

            // Synchronous operators on the unbounded CPU device hold a thread throughout: at most one per processor runs
            // at once, the rest queue (earliest deadline first) instead of piling up on the thread pool or on callers.
            int capacity = device is { MaxConcurrency: > 0 } ? device.MaxConcurrency : d.Descriptor.MaxConcurrency;
            return new DeviceQueue(d, i, capacity, device?.HourlyCostUsd ?? d.Descriptor.HourlyCostUsd, computeSlots: d is CpuDevice ? Environment.ProcessorCount : 0);
        })];
        _outUntil = new long[Queues.Length];
        _lastBusy = new long[Queues.Length];
        _lastObserved = Queues.Select(_ => Stopwatch.GetTimestamp()).ToArray();
        Live[this] = 0;
        CreateInstruments();
    }

    /// <summary>Raised when a device is taken out of service or comes back (runners re-plan).</summary>
    internal event Action<int, bool>? DeviceStateChanged;

    internal DeviceQueue[] Queues { get; }

    /// <summary>Cancelled when the host's shutdown timeout runs out with requests still in flight.</summary>
    internal CancellationToken ShutdownToken => _shutdownToken;

    /// <summary>Whether the host is stopping (new requests are rejected).</summary>
    public bool Stopping => _stopping;

    /// <summary>Requests of every graph admitted and not yet ended.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The devices and their queues.</summary>
    public IReadOnlyList<DeviceStatus> Devices() =>
        [.. Queues.Select(q => new DeviceStatus(
            q.Name, q.Device.Descriptor.Kind, q.Capacity, q.Running, q.QueueLength, q.BusyTicks / (double)Stopwatch.Frequency, q.Completed, !IsOut(q.Index, Stopwatch.GetTimestamp())))];

    /// <inheritdoc/>
    public void Dispose()
    {
        Live.TryRemove(this, out _);
        _shutdown.Dispose();
    }

    /// <summary>Takes a device out of service for every graph until <paramref name="until"/> (Stopwatch ticks).</summary>
    internal void TakeOut(int device, long until, string reason)
    {
        long previous = Interlocked.Exchange(ref _outUntil[device], until);
        if (previous < Stopwatch.GetTimestamp())
        {
            LogDeviceOut(Queues[device].Name, "every graph", reason, TimeSpan.FromSeconds((until - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency).TotalMilliseconds);
            DeviceStateChanged?.Invoke(device, false);
        }
    }

    /// <summary>Whether the device is out of service at <paramref name="now"/>.</summary>
    internal bool IsOut(int device, long now) => Volatile.Read(ref _outUntil[device]) > now;

    /// <summary>The earliest time an out device comes back (long.MaxValue when none is out).</summary>
    internal long NextReturn(long now)
    {
        long next = long.MaxValue;
        foreach (long until in _outUntil)
        {
            if (until > now)
            {
                next = Math.Min(next, until);
            }
        }

        return next;
    }

    /// <summary>Counts a request in; false when the host is stopping.</summary>
    internal bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (_stopping)
        {
            Exit();
            return false;
        }

        return true;
    }

    internal void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    /// <summary>
    /// Stops admitting requests and waits for those in flight to end; when <paramref name="cancellationToken"/> fires
    /// first (the host's shutdown timeout), cancels them and waits for them to end as failed.
    /// </summary>
    internal async Task DrainAsync(CancellationToken cancellationToken)
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        _stopping = true;
        int inFlight = InFlight;
        if (inFlight == 0)
        {
            return;
        }

        LogDraining(inFlight);
        try
        {
            await drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogDrainTimedOut(InFlight);
            await _shutdown.CancelAsync().ConfigureAwait(false);

            // Cancelled requests end promptly (abandoned nodes included); bound the wait anyway.
            await Task.WhenAny(drained.Task, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private static void CreateInstruments()
    {
        lock (InstrumentsGate)
        {
            if (_instrumentsCreated)
            {
                return;
            }

            _instrumentsCreated = true;
            AgentDslTelemetry.Meter.CreateObservableGauge(
                "agentdsl.device.queue_length",
                () => Live.Keys.SelectMany(r => r.Queues.Select(q => new Measurement<int>(q.QueueLength, q.Tag))),
                unit: "{node}",
                description: "Nodes waiting for a slot on the device.");
            AgentDslTelemetry.Meter.CreateObservableGauge(
                "agentdsl.device.running",
                () => Live.Keys.SelectMany(r => r.Queues.Select(q => new Measurement<int>(q.Running, q.Tag))),
                unit: "{node}",
                description: "Nodes running on the device.");
            AgentDslTelemetry.Meter.CreateObservableCounter(
                "agentdsl.device.busy_time",
                () => Live.Keys.SelectMany(r => r.Queues.Select(q => new Measurement<double>(q.BusyTicks / (double)Stopwatch.Frequency, q.Tag))),
                unit: "s",
                description: "Busy time of the device summed over its slots; its rate over the capacity is the utilisation.");
            AgentDslTelemetry.Meter.CreateObservableGauge(
                "agentdsl.device.utilization",
                () => Live.Keys.SelectMany(r => r.Utilization()),
                unit: "1",
                description: "Share of the device's capacity busy since the previous observation.");
            AgentDslTelemetry.Meter.CreateObservableUpDownCounter(
                "agentdsl.requests.in_flight",
                () => Live.Keys.Select(r => new Measurement<int>(r.InFlight)),
                unit: "{request}",
                description: "Requests admitted and not yet ended.");
        }
    }

    private IEnumerable<Measurement<double>> Utilization()
    {
        long now = Stopwatch.GetTimestamp();
        var result = new List<Measurement<double>>(Queues.Length);
        lock (_lastBusy)
        {
            foreach (var q in Queues)
            {
                long busy = q.BusyTicks;
                long wall = now - _lastObserved[q.Index];
                double share = wall <= 0 ? 0 : (busy - _lastBusy[q.Index]) / (double)wall / q.UtilizationCapacity;
                _lastBusy[q.Index] = busy;
                _lastObserved[q.Index] = now;
                result.Add(new Measurement<double>(share, q.Tag));
            }
        }

        return result;
    }

    [LoggerMessage(EventId = AgentDslEventIds.DeviceTakenOut, Level = LogLevel.Warning, Message = "Device {Device} taken out of service for {Scope}: {Reason}; probed back in after {BreakMs} ms")]
    internal partial void LogDeviceOut(string device, string scope, string reason, double breakMs);

    [LoggerMessage(EventId = AgentDslEventIds.Draining, Level = LogLevel.Information, Message = "Shutting down: draining {InFlight} requests in flight")]
    private partial void LogDraining(int inFlight);

    [LoggerMessage(EventId = AgentDslEventIds.DrainTimedOut, Level = LogLevel.Warning, Message = "Shutdown timeout reached with {InFlight} requests in flight; cancelling them")]
    private partial void LogDrainTimedOut(int inFlight);
}
