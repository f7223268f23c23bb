using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AgentDsl.Execution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Benchmarks;

/// <summary>Three small CPU steps: the graph is cheap, so what the load test sees over HTTP is the HTTP front's cost.</summary>
[AgentGraph(LatencySlaMs = 20)]
public partial class HttpLoadGraph
{
    [Flow]
    public string Run(string text) => Finish(Work(Prepare(text)));

    [Operator]
    public string Prepare(string text) => text.Trim();

    [Operator]
    public string Work(string text) => string.Concat(text, ":", text.Length.ToString(CultureInfo.InvariantCulture));

    [Operator]
    public string Finish(string text) => text.ToUpperInvariant();
}

/// <summary>
/// A bounded closed-loop load test of one graph, in process and over HTTP on loopback (Kestrel, API key on): the typed
/// endpoint, chat completions and streamed chat completions. Each mode runs a warm-up, then a fixed number of requests
/// from a fixed number of concurrent callers, and stops by itself; it prints p50/p99, throughput and SLA attainment
/// (client-side latency within the graph's 20 ms SLA).
/// </summary>
internal static class HttpLoadRun
{
    private const string Key = "bench-key-0123456789";

    public static async Task RunAsync(string[] args)
    {
        int requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4000;
        int concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AgentDsl:Http:ApiKeys:0"] = Key });
        builder.UseAgentDsl(a => a.AddGraph<HttpLoadGraph>().AddHttp());
        await using var app = builder.Build();
        app.MapAgentDsl();
        app.MapAgent<HttpLoadGraph>();
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        var runner = app.Services.GetRequiredService<IAgentRunner<HttpLoadGraph>>();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        var modes = new (string Name, Func<int, Task> Call)[]
        {
            ("in-process RunUntypedAsync", i => runner.RunUntypedAsync([" q" + i.ToString(CultureInfo.InvariantCulture) + " "])),
            ("HTTP POST /agents/HttpLoadGraph", i => PostAsync(http, "/agents/HttpLoadGraph", $$"""{"text":" q{{i}} "}""")),
            ("HTTP POST /v1/chat/completions", i => PostAsync(http, "/v1/chat/completions", $$"""{"model":"HttpLoadGraph","messages":[{"role":"user","content":" q{{i}} "}]}""")),
            ("HTTP chat completions, stream", i => PostAsync(http, "/v1/chat/completions", $$"""{"model":"HttpLoadGraph","stream":true,"messages":[{"role":"user","content":" q{{i}} "}]}""")),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, {requests} requests per mode after {requests / 8} warm-up, {concurrency} concurrent callers, SLA 20 ms"));
        foreach (var (name, call) in modes)
        {
            await DriveAsync(call, requests / 8, concurrency);
            var (latencies, elapsed) = await DriveAsync(call, requests, concurrency);
            Array.Sort(latencies);
            double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
            double attainment = latencies.Count(l => l <= 20) / (double)latencies.Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-34} p50 {P(0.50),7:0.000} ms  p99 {P(0.99),7:0.000} ms  {requests / elapsed.TotalSeconds,8:0} req/s  SLA {attainment:P1}"));
        }

        await app.StopAsync();
    }

    private static async Task PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsStringAsync();
    }

    private static async Task<(double[] Latencies, TimeSpan Elapsed)> DriveAsync(Func<int, Task> call, int requests, int concurrency)
    {
        var latencies = new double[requests];
        int next = -1;
        var total = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                long start = Stopwatch.GetTimestamp();
                await call(i);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        });
        await Task.WhenAll(callers);
        return (latencies, total.Elapsed);
    }
}
