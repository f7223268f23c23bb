using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentDsl.Telemetry;

/// <summary>
/// The runtime's telemetry sources. Subscribe with OpenTelemetry:
/// <c>.WithTracing(t =&gt; t.AddSource(AgentDslTelemetry.Name))</c> and <c>.WithMetrics(m =&gt; m.AddMeter(AgentDslTelemetry.Name))</c>.
/// </summary>
public static class AgentDslTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>AgentDsl</c>.</summary>
    public const string Name = "AgentDsl";

    /// <summary>Activity name of a request span.</summary>
    public const string RunActivityName = "agentdsl.run";

    /// <summary>Activity name of a node span (child of the request span).</summary>
    public const string NodeActivityName = "agentdsl.node";

    /// <summary>Spans: one per request, one per node.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, typeof(AgentDslTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Metrics.</summary>
    public static Meter Meter { get; } = new(Name, typeof(AgentDslTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The <c>agentdsl.sla_met</c> tags, made once: a tag's value is an object, and a bool boxed per request allocates.</summary>
    internal static readonly KeyValuePair<string, object?> SlaMetTag = new("agentdsl.sla_met", true);

    /// <summary>See <see cref="SlaMetTag"/>.</summary>
    internal static readonly KeyValuePair<string, object?> SlaMissedTag = new("agentdsl.sla_met", false);

    internal static Histogram<double> RequestDuration { get; } =
        Meter.CreateHistogram<double>("agentdsl.request.duration", unit: "ms", description: "End-to-end latency of requests.");

    internal static Histogram<double> NodeDuration { get; } =
        Meter.CreateHistogram<double>("agentdsl.node.duration", unit: "ms", description: "Latency of nodes, per graph, node and device.");

    internal static Counter<long> Requests { get; } =
        Meter.CreateCounter<long>("agentdsl.requests", unit: "{request}", description: "Requests by graph and outcome (completed, failed, cancelled).");

    internal static Counter<long> NodesSkipped { get; } =
        Meter.CreateCounter<long>("agentdsl.node.skipped", unit: "{node}", description: "Nodes skipped because their if arm was not taken, per graph and node.");

    internal static Counter<long> Rejections { get; } =
        Meter.CreateCounter<long>("agentdsl.requests.rejected", unit: "{request}", description: "Requests rejected at admission, per graph and reason (QueueFull, DeadlineUnreachable, ShuttingDown, NoDevice).");

    internal static Counter<long> SlaOutcomes { get; } =
        Meter.CreateCounter<long>("agentdsl.requests.sla", unit: "{request}", description: "Ended requests per graph, tagged agentdsl.sla_met true or false (rejected and failed requests count as false): SLA attainment is the true share.");

    internal static Histogram<double> RequestCost { get; } =
        Meter.CreateHistogram<double>("agentdsl.request.cost", unit: "USD", description: "Device cost of a request: busy time on each device at its hourly price, plus costs the devices report (tokens).");

    internal static Counter<long> Retries { get; } =
        Meter.CreateCounter<long>("agentdsl.node.retries", unit: "{attempt}", description: "Node attempts retried, per graph, node and reason.");

    internal static Counter<long> Replans { get; } =
        Meter.CreateCounter<long>("agentdsl.replans", unit: "{plan}", description: "Re-plans per graph and reason (device-out, device-back, slowdown).");

    internal static Counter<long> Abandoned { get; } =
        Meter.CreateCounter<long>("agentdsl.node.abandoned", unit: "{attempt}", description: "Attempts abandoned after their timeout while the operator had not returned (a hung device), per device.");

    internal static Histogram<int> BatchSize { get; } =
        Meter.CreateHistogram<int>("agentdsl.node.batch_size", unit: "{request}", description: "Invocations per micro-batch of a batchable operator, per graph and node.");
}
