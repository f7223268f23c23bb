using System.Globalization;
using AgentDsl.Execution;
using AgentDsl.LlamaCpp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagAgent;

// dotnet run --project samples/RagAgent [-- --requests 4 --chunks 2000|all --model path.gguf --shape Small97M|Tiny]
// dotnet run --project samples/RagAgent -- --endpoint http://localhost:11434/v1 --endpoint-model llama3.2   (an OpenAI-compatible server)
// dotnet run -c Release --project samples/RagAgent -- --load [--rates 0.25,0.5,1,2] [--seconds 10] [--chart docs/rag-load.svg]
var config = new ConfigurationBuilder().AddCommandLine([.. args.Where(a => a != "--load")]).Build();
string chunksText = config["chunks"] ?? "2000";
var setup = new AgentSetup(
    "planned",
    chunksText == "all" ? null : int.Parse(chunksText, CultureInfo.InvariantCulture),
    config["model"],
    config["shape"] ?? "Small97M",
    config["endpoint"],
    config["endpoint-model"],
    config["api-key"]);

if (args.Contains("--load"))
{
    double[] rates = [.. (config["rates"] ?? "0.25,0.5,1,2").Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))];
    var seconds = TimeSpan.FromSeconds(double.Parse(config["seconds"] ?? "10", CultureInfo.InvariantCulture));
    var rows = await RagLoadTest.RunAsync(setup, rates, seconds, Console.Out);
    string chart = Path.GetFullPath(config["chart"] ?? Path.Combine(AppContext.BaseDirectory, "rag-load.svg"));
    RagLoadTest.Chart(rows, chart);
    Console.WriteLine($"Chart: {chart}");
    return;
}

var (host, corpus) = await AgentHost.StartAsync(setup, []);
using var _ = host;
Console.WriteLine($"Corpus: {corpus}");
var engine = host.Services.GetService<LlamaCppEngine>();
if (engine is not null)
{
    Console.WriteLine($"LLM: llama.cpp, {engine.ModelPath} ({engine.Parameters / 1e6:0.0} M parameters, {engine.Identity}, loaded in {engine.LoadTime.TotalMilliseconds:0} ms), contexts {string.Join(", ", engine.Contexts)}");
    if (engine.IsSeeded)
    {
        Console.WriteLine("     SEEDED RANDOM WEIGHTS: the answers below are noise. The prefill and decode compute, the memory traffic and the KV cache moved are real, which is what placement is about; give --model <file.gguf> for a real model.");
    }
}
else
{
    Console.WriteLine($"LLM: the OpenAI-compatible endpoint {setup.Endpoint} (model {setup.EndpointModel}), streamed");
}

var runner = host.Services.GetRequiredService<IAgentRunner<DocsAgent>>();
string[] questions =
[
    "How do I make the current thread wait for some milliseconds?",
    "Which method compares two strings ignoring case?",
    "How can I read all lines of a text file?",
    "What returns the number of elements in a collection?",
];
await runner.RunAsync("warm-up question about strings"); // JIT, caches and the first calibration samples

int requests = int.Parse(config["requests"] ?? "4", CultureInfo.InvariantCulture);
var results = new List<AgentRunResult>();
for (int i = 0; i < requests; i++)
{
    string question = questions[i % questions.Length];
    Console.WriteLine();
    Console.WriteLine($"Q: {question}");
    Console.Write("A: ");
    var result = await runner.RunUntypedAsync([question], new AgentRequestOptions { OnText = t => Console.Write(Printable(t.Text)) });
    Console.WriteLine();
    results.Add(result);
    Console.WriteLine("   " + string.Join(" | ", result.Nodes.Select(n => $"{n.Name} {n.Device} {n.Duration.TotalMilliseconds:0.#} ms")));
    foreach (var phase in result.Nodes.SelectMany(n => n.Phases))
    {
        Console.WriteLine($"   {phase.Phase,-11} {phase.Device,-22} {phase.Tokens,4} tokens{(phase.Bytes > 0 ? $", {phase.Bytes / 1e6:0.00} MB moved" : "")}: measured {phase.Duration.TotalMilliseconds,7:0.0} ms, predicted {phase.Predicted.TotalMilliseconds,7:0.0} ms ({phase.PredictedBy})");
    }

    Console.WriteLine($"   {result.Elapsed.TotalMilliseconds:0} ms, SLA {(result.MetSla ? "met" : "MISSED")}, cost ${result.CostUsd * 1000:0.000} per 1,000 requests");
}

Console.WriteLine();
Console.WriteLine($"SLA ({DocsAgent.Definition.Sla.LatencyMs} ms) met by {results.Count(r => r.MetSla)}/{results.Count} requests; mean {results.Average(r => r.Elapsed.TotalMilliseconds):0} ms.");
var phases = results.SelectMany(r => r.Nodes.SelectMany(n => n.Phases)).GroupBy(p => p.Phase);
foreach (var g in phases)
{
    Console.WriteLine($"{g.Key,-11}: measured mean {g.Average(p => p.Duration.TotalMilliseconds),7:0.0} ms, predicted mean {g.Average(p => p.Predicted.TotalMilliseconds),7:0.0} ms over {g.Count()} calls");
}

await host.StopAsync();

static string Printable(string text) => new([.. text.Select(c => char.IsControl(c) && c != '\n' ? '·' : c)]);
