using System.Globalization;
using AgentDsl.Telemetry;
using AgentDsl.Execution;
using AgentDsl.Ir;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using QuickStart;

// dotnet run --project samples/QuickStart [-- --requests 8 --out samples/QuickStart/out]
// dotnet run -c Release --project samples/QuickStart -- --load [--rates 10,20,40,80] [--seconds 3] [--passages 4096]
// dotnet run --project samples/QuickStart -- --metrics      (prints the runtime's metrics with the OpenTelemetry console exporter)
bool load = args.Contains("--load"), metrics = args.Contains("--metrics");
var builder = Host.CreateApplicationBuilder([.. args.Where(a => a is not ("--load" or "--metrics"))]);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (load)
{
    double[] rates = [.. builder.Configuration.GetValue("rates", "10,20,40,80")!.Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))];
    var duration = TimeSpan.FromSeconds(builder.Configuration.GetValue("seconds", 3.0));
    int passages = builder.Configuration.GetValue("passages", 4096);
    Console.WriteLine($"Load test: SupportAgent, {passages} passages, {duration.TotalSeconds:0.#} s per rate, SLA {SupportAgent.Definition.Sla.LatencyMs} ms");
    Console.WriteLine(LoadTest.Header);
    var rows = await LoadTest.RunAsync(rates, duration, passages, Console.Out);
    string loadOut = Path.GetFullPath(builder.Configuration.GetValue("out", Path.Combine(AppContext.BaseDirectory, "out"))!);
    Directory.CreateDirectory(loadOut);
    await File.WriteAllLinesAsync(Path.Combine(loadOut, "loadtest.txt"), [LoadTest.Header, .. rows.Select(LoadTest.Format)]);
    return;
}

if (metrics)
{
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics.AddMeter(AgentDslTelemetry.Name).AddConsoleExporter())
        .WithTracing(tracing => tracing.AddSource(AgentDslTelemetry.Name).AddConsoleExporter());
}

builder.Services.AddSingleton<PassageIndex>();
builder.UseAgentDsl(agentDsl => agentDsl.AddGraph<SupportAgent>().AddOpenClDevices());

using var host = builder.Build();
await host.StartAsync();

int requests = builder.Configuration.GetValue("requests", 8);
string outDir = Path.GetFullPath(builder.Configuration.GetValue("out", Path.Combine(AppContext.BaseDirectory, "out"))!);
Directory.CreateDirectory(outDir);

var graph = SupportAgent.Definition;
Console.WriteLine($"Graph {graph.Name}: {graph.Nodes.Length} nodes, {graph.Edges.Length} edges, SLA {graph.Sla.LatencyMs} ms at p{graph.Sla.Percentile * 100}");
foreach (var node in graph.Nodes)
{
    var inputs = node.Inputs
        .Where(i => i.Value.Source is ValueSource.Input or ValueSource.Node)
        .Select(i => i.Value.Source == ValueSource.Input ? graph.Inputs[i.Value.Index].Name : graph.Nodes[i.Value.Index].Name);
    Console.WriteLine($"  [{node.Id}] {node.Name,-15} {node.Kind,-8} <- {string.Join(", ", inputs)}");
}

string dotPath = Path.Combine(outDir, "SupportAgent.dot");
await File.WriteAllTextAsync(dotPath, graph.ToDot());
await File.WriteAllTextAsync(Path.Combine(outDir, "SupportAgent.mlir"), SupportAgent.Mlir);
await File.WriteAllTextAsync(Path.Combine(outDir, "SupportAgent.json"), graph.ToJson());
Console.WriteLine($"Graphviz DOT: {dotPath} (render with: dot -Tsvg {dotPath} -o SupportAgent.svg)");
Console.WriteLine();

string[] questions = LoadTest.Questions;

var runner = host.Services.GetRequiredService<IAgentRunner<SupportAgent>>();
await runner.RunAsync("warm-up"); // JIT and caches, not counted

var results = new List<AgentRunResult<Answer>>();
for (int i = 0; i < requests; i++)
{
    var result = await runner.RunAsync(questions[i % questions.Length]);
    results.Add(result);
    Console.WriteLine($"Q: {questions[i % questions.Length]}");
    Console.WriteLine($"A: {result.Output.Text} [{result.Output.Intent}, sources {string.Join(",", result.Output.Sources)}, grounded {result.Output.Grounded}]");
    Console.WriteLine($"   {TextOps.Format(result.Elapsed.TotalMilliseconds)} ms, SLA {(result.MetSla ? "met" : "MISSED")}");
}

Console.WriteLine();
Console.WriteLine($"Per-node timings over {results.Count} requests (ms):");
Console.WriteLine($"  {"node",-15} {"device",-10} {"start",8} {"mean",8} {"max",8}");
foreach (var node in graph.Nodes)
{
    var runs = results.Select(r => r.Nodes[node.Id]).ToList();
    Console.WriteLine($"  {node.Name,-15} {runs[^1].Device,-10} {TextOps.Format(runs.Average(r => r.Started.TotalMilliseconds)),8} {TextOps.Format(runs.Average(r => r.Duration.TotalMilliseconds)),8} {TextOps.Format(runs.Max(r => r.Duration.TotalMilliseconds)),8}");
}

Console.WriteLine($"The Search operator's scoring kernel ran on: {host.Services.GetRequiredService<PassageIndex>().LastDevice}");

var latencies = results.Select(r => r.Elapsed.TotalMilliseconds).Order().ToList();
int met = results.Count(r => r.MetSla);
Console.WriteLine();
Console.WriteLine($"Total latency: mean {TextOps.Format(latencies.Average())} ms, max {TextOps.Format(latencies[^1])} ms; SLA {graph.Sla.LatencyMs} ms met by {met}/{results.Count} requests.");

await host.StopAsync();
