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
