using AgentDsl.Agents.Tests;
using AgentDsl.Execution;
using BenchmarkDotNet.Attributes;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Benchmarks;

/// <summary>
/// The reference pipeline (transcribe → redact → (embed → search) ∥ classify → answer → speak, stub operators) written
/// both ways — an AgentDsl graph and a Microsoft Agent Framework workflow (in-process execution) — against calling
/// the flow directly, one request at a time, in one run: the frameworks' dispatch overhead on the same work.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[MemoryDiagnoser]
public class PipelineComparisonBenchmarks
{
    private const string Audio = "is the secret plan ready?";
    private readonly PipelineGraph _graph = new();
    private IHost _host = null!;
    private IAgentRunner<PipelineGraph> _runner = null!;
    private Workflow _workflow = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentDsl().AddGraph<PipelineGraph>();
        _host = builder.Build();
        _host.Start();
        _runner = _host.Services.GetRequiredService<IAgentRunner<PipelineGraph>>();
        _workflow = PipelineWorkflow.Build();
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Baseline = true, Description = "pipeline: direct flow call")]
    public string Direct() => _graph.Run(Audio);

    [Benchmark(Description = "pipeline: AgentDsl runtime")]
    public async Task<object?> AgentDslRuntime() => (await _runner.RunUntypedAsync([Audio])).OutputValue;

    [Benchmark(Description = "pipeline: Agent Framework workflow (in-process)")]
    public Task<string> AgentFramework() => PipelineWorkflow.RunAsync(_workflow, Audio);
}
