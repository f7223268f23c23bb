using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentDsl.Runtime.Tests;

/// <summary>
/// The parts of a runner, made directly (no host, no runner): a runtime over the given devices, the graph's estimates,
/// its <see cref="Replanner"/> (started) and <see cref="AdmissionController"/>, wired as the runner wires them.
/// </summary>
internal sealed class RunnerParts : IDisposable
{
    public RunnerParts(GraphDefinition definition, IAgentDevice[] devices, Action<AgentDslOptions>? configure = null, ScriptedPolicy? policy = null, bool start = true)
    {
        configure?.Invoke(Options);
        Definition = definition;
        Runtime = new AgentRuntime(devices, [], Microsoft.Extensions.Options.Options.Create(Options), NullLogger<AgentRuntime>.Instance);
        Policy = policy ?? new ScriptedPolicy();
        Estimates = new NodeEstimates(definition.Nodes.Length, Runtime.Queues, Options.Replanning.EstimateLifetime);
        Logger = Logs.CreateLogger("runner");
        Replanner = new Replanner(definition, Runtime, Policy, Estimates, Options, Logger, GraphTag);
        Admission = new AdmissionController(definition, Runtime, Replanner, Estimates, Options, Statistics, Logger, GraphTag);
        Replanner.Replanned = Admission.Invalidate;
        if (start)
        {
            Replanner.Start();
        }
    }

    public AgentDslOptions Options { get; } = new();

    public GraphDefinition Definition { get; }

    public AgentRuntime Runtime { get; }

    public ScriptedPolicy Policy { get; }

    public NodeEstimates Estimates { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ILogger Logger { get; }

    public AgentGraphStatistics Statistics { get; } = new();

    public KeyValuePair<string, object?> GraphTag { get; } = new("agentdsl.graph", "parts");

    public Replanner Replanner { get; }

    public AdmissionController Admission { get; }

    /// <summary>The device queue index of the device named <paramref name="name"/>.</summary>
    public int Device(string name) => Array.FindIndex(Runtime.Queues, q => q.Name == name);

    public int Node(string name) => Definition.GetNode(name).Id;

    /// <summary>Records enough runs of the node on the device (<see cref="NodeEstimates.MinSamples"/>) for it to count as measured at <paramref name="ms"/>.</summary>
    public NodeEstimates.RecordResult Measure(string node, string device, double ms)
    {
        var result = NodeEstimates.RecordResult.None;
        for (int i = 0; i < NodeEstimates.MinSamples; i++)
        {
            result = Estimates.Record(Node(node), Device(device), ms, ms, Options.Replanning.SlowdownFactor, Stopwatch.GetTimestamp());
        }

        return result;
    }

    /// <summary>The log messages with event id <paramref name="eventId"/>.</summary>
    public List<string> Logged(int eventId) => [.. Logs.Entries.Where(e => e.Id.Id == eventId).Select(e => e.Message)];

    public void Dispose() => Runtime.Dispose();
}

/// <summary>A placement policy that records every request and places each node as <see cref="Next"/> says (by default: the first device in service that can host it).</summary>
internal sealed class ScriptedPolicy : IPlacementPolicy
{
    private readonly List<PlacementRequest> _requests = [];

    public Func<PlacementRequest, IReadOnlyList<IAgentDevice>>? Next { get; set; }

    public IReadOnlyList<PlacementRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<string> Reasons => [.. Requests.Select(r => r.Reason)];

    public IReadOnlyList<IAgentDevice> Place(GraphDefinition graph, IReadOnlyList<IAgentDevice> devices) =>
        Place(new PlacementRequest(graph, devices, null!, "direct"));

    public IReadOnlyList<IAgentDevice> Place(PlacementRequest request)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }

        return Next?.Invoke(request) ?? FirstThatFits(request);
    }

    public static IReadOnlyList<IAgentDevice> FirstThatFits(PlacementRequest request) =>
        [.. request.Graph.Nodes.Select(n => request.Devices.FirstOrDefault(d => d.CanHost(n)) ?? throw new PlacementException($"no device for {n.Name}"))];
}
