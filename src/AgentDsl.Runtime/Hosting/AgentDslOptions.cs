using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>Runtime options, bound from the <c>AgentDsl</c> configuration section by <c>UseAgentDsl</c>.</summary>
public sealed class AgentDslOptions
{
    /// <summary>The configuration section: <c>AgentDsl</c>.</summary>
    public const string SectionName = "AgentDsl";

    /// <summary>Default <see cref="CpuMaxConcurrency"/>: 0, asynchronous operators unbounded, synchronous ones at most one per processor.</summary>
    public const int DefaultCpuMaxConcurrency = 0;

    /// <summary>Default <see cref="MaxInFlightRequests"/>.</summary>
    public const int DefaultMaxInFlightRequests = 10_000;

    /// <summary>
    /// How many nodes the managed CPU device runs at once (awaits included); 0: asynchronous operators without limit,
    /// synchronous ones (CPU work holding a thread) at most <see cref="Environment.ProcessorCount"/> at once, the rest
    /// queued earliest deadline first.
    /// </summary>
    [Range(0, 1_000_000)]
    public int CpuMaxConcurrency { get; set; } = DefaultCpuMaxConcurrency;

    /// <summary>Whether to log each node's completion at Debug level (off by default: it is per node, per request).</summary>
    public bool LogNodes { get; set; }

    /// <summary>
    /// Backpressure: the most requests of one graph admitted and not yet ended. A request beyond it is rejected
    /// (<c>QueueFull</c>) at once rather than queued without bound.
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxInFlightRequests { get; set; } = DefaultMaxInFlightRequests;

    /// <summary>
    /// Whether to reject, at admission, a request whose predicted latency (measured node times along the critical
    /// path plus the backlog of the devices it uses) exceeds its budget. On by default; requests of graphs without
    /// an SLA and without a per-request budget are never rejected for time.
    /// </summary>
    public bool AdmissionControl { get; set; } = true;

    /// <summary>Default <see cref="CancellationGrace"/>: 100 ms.</summary>
    public static readonly TimeSpan DefaultCancellationGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a cancelled request (its deadline passed, its caller cancelled, the host shut down, or one of its nodes
    /// failed) waits for its running operators to return; an operator that ignores its cancellation token is then
    /// abandoned (observed when it returns) and the request ends without it. A request with a deadline thus ends by
    /// its deadline plus this grace.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CancellationGrace { get; set; } = DefaultCancellationGrace;

    /// <summary>Per-device overrides, by device name (<c>cpu</c>, <c>opencl:0:0</c>, …); in configuration, where keys cannot hold <c>:</c>, write <c>opencl-0-0</c>.</summary>
    public Dictionary<string, DeviceOptions> Devices { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The deployment's hardware profile (<c>agentdsl.hardware.json</c>, the file the analyzers read at build time): each
    /// device in service without figures of its own, or with <see cref="DeviceOptions.Catalog"/> naming a profile entry, takes
    /// the figures of the profile's device type of its kind (when the profile has exactly one of that kind), so the
    /// first requests are placed by the roofline cost model. docs/runtime.md, "The cost chain".
    /// </summary>
    public string? HardwareProfile { get; set; }

    /// <summary>The overrides of a device, by its name or, in configuration, by its name with <c>:</c> written <c>-</c>.</summary>
    internal DeviceOptions? DeviceOptionsFor(string deviceName) =>
        Devices.TryGetValue(deviceName, out var device) || Devices.TryGetValue(deviceName.Replace(':', '-'), out device) ? device : null;

    /// <summary>Resilience of operators that name no policy of their own.</summary>
    [ValidateObjectMembers]
    public OperatorResilienceOptions Resilience { get; set; } = new();

    /// <summary>Per-operator resilience, by operator name (<c>Search</c>) or graph and operator (<c>SupportAgent.Search</c>, which wins).</summary>
    public Dictionary<string, OperatorResilienceOptions> Operators { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Micro-batching of operators whose batch form the source generator found, by operator name (<c>Embed</c>) or graph
    /// and operator (<c>SupportAgent.Embed</c>, which wins); <c>MaxBatchSize</c> 1 turns batching off for it. A form
    /// registered with <c>AddBatch</c> carries its own options.
    /// </summary>
    public Dictionary<string, AgentDsl.Batching.BatchOptions> Batching { get; } = new(StringComparer.Ordinal);

    /// <summary>When and how the runtime re-plans.</summary>
    [ValidateObjectMembers]
    public ReplanningOptions Replanning { get; set; } = new();
}

/// <summary>Settings of one device.</summary>
public sealed class DeviceOptions
{
    /// <summary>Nodes the device runs at once; 0 keeps the device's own figure.</summary>
    [Range(0, 1_000_000)]
    public int MaxConcurrency { get; set; }

    /// <summary>What an hour of the device costs, in US dollars; overrides the device's own figure. Busy time at this price is the cost per request.</summary>
    [Range(0, 1_000_000)]
    public double? HourlyCostUsd { get; set; }

    /// <summary>
    /// The device type whose figures (peak FLOP/s, bandwidth, memory, links) the cost model uses for this device: a device
    /// of <see cref="AgentDslOptions.HardwareProfile"/>, else of the shipped hardware catalog (for example <c>H100-SXM</c>).
    /// </summary>
    public string? Catalog { get; set; }
}

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

/// <summary>When the runtime re-plans from measurements.</summary>
public sealed class ReplanningOptions
{
    /// <summary>Re-plan when a node's measured mean on its device grows past this multiple of the mean the plan was made with.</summary>
    [Range(1.1, 1000)]
    public double SlowdownFactor { get; set; } = 3;

    /// <summary>The shortest time between two re-plans of a graph.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Calibration: every this many requests, a node runs on a device that could run it but has not been measured for it
    /// yet (until it has three measurements there), so the planner learns every device's time from real runs; 0 turns
    /// it off (the priors then decide until a re-plan). Only with the built-in planner: a placement policy of your own
    /// is followed as it is.
    /// </summary>
    [Range(0, 1_000_000)]
    public int ExploreEvery { get; set; } = 16;

    /// <summary>A measurement older than this reads as the best the device has done for the node, so devices that slowed down are tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan EstimateLifetime { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Validates <see cref="AgentDslOptions"/> at start-up (source-generated, no reflection).</summary>
[OptionsValidator]
public sealed partial class AgentDslOptionsValidator : IValidateOptions<AgentDslOptions>
{
}

/// <summary>Validates what attributes cannot: per-device and per-operator entries, with their keys in the message.</summary>
internal sealed class AgentDslOptionsEntriesValidator : IValidateOptions<AgentDslOptions>
{
    private static readonly OperatorResilienceOptionsValidator Operator = new();
    private static readonly DeviceOptionsValidator Device = new();
    private static readonly BatchOptionsValidator Batch = new();

    public ValidateOptionsResult Validate(string? name, AgentDslOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        foreach (var (key, value) in options.Operators)
        {
            builder.AddResult(Operator.Validate($"{AgentDslOptions.SectionName}:Operators:{key}", value));
        }

        foreach (var (key, value) in options.Devices)
        {
            builder.AddResult(Device.Validate($"{AgentDslOptions.SectionName}:Devices:{key}", value));
        }

        foreach (var (key, value) in options.Batching)
        {
            builder.AddResult(Batch.Validate($"{AgentDslOptions.SectionName}:Batching:{key}", value));
        }

        if (AgentDsl.Devices.DeviceFigureSource.Problem(options) is { } problem)
        {
            builder.AddError(problem);
        }

        return builder.Build();
    }
}

/// <summary>Validates one <see cref="OperatorResilienceOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class OperatorResilienceOptionsValidator : IValidateOptions<OperatorResilienceOptions>
{
}

/// <summary>Validates one <see cref="DeviceOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class DeviceOptionsValidator : IValidateOptions<DeviceOptions>
{
}

/// <summary>Validates one <see cref="AgentDsl.Batching.BatchOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class BatchOptionsValidator : IValidateOptions<AgentDsl.Batching.BatchOptions>
{
}
