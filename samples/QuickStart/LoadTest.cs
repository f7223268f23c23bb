using System.Diagnostics;
using System.Globalization;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QuickStart;

/// <summary>One row of the load test: one placement at one offered rate.</summary>
public sealed record LoadResult(
    string Placement,
    double RatePerSecond,
    int Offered,
    int Completed,
    int Failed,
    int Rejected,
    double ThroughputPerSecond,
    double P50Ms,
    double P99Ms,
    double SlaAttainment,
    string Devices);

/// <summary>
/// The load test: drives the support agent at rising request rates (open loop: requests arrive on schedule whether or
/// not earlier ones finished), bounded in time and count, under three placements — the planner's heterogeneous
/// placement, everything on the CPU, and everything the OpenCL device can run on OpenCL — and reports throughput,
/// p50/p99 latency and SLA attainment (completed within the SLA over offered; rejections and failures count as misses).
/// </summary>
public static class LoadTest
{
    public static async Task<IReadOnlyList<LoadResult>> RunAsync(double[] rates, TimeSpan duration, int passages, TextWriter output)
    {
        var results = new List<LoadResult>();
        foreach (string placement in new[] { "planned", "all-cpu", "all-opencl" })
        {
            foreach (double rate in rates)
            {
                var result = await RunOneAsync(placement, rate, duration, passages);
                results.Add(result);
                output.WriteLine(Format(result));
            }
        }

        return results;
    }

    public static string Header =>
        $"{"placement",-11} {"rate/s",7} {"offered",7} {"done",6} {"failed",6} {"rejected",8} {"thru/s",7} {"p50 ms",8} {"p99 ms",8} {"SLA",6}  devices (Embed, Search)";

    public static string Format(LoadResult r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{r.Placement,-11} {r.RatePerSecond,7:0} {r.Offered,7} {r.Completed,6} {r.Failed,6} {r.Rejected,8} {r.ThroughputPerSecond,7:0.0} {r.P50Ms,8:0.0} {r.P99Ms,8:0.0} {r.SlaAttainment,6:P0}  {r.Devices}");

    private static async Task<LoadResult> RunOneAsync(string placement, double rate, TimeSpan duration, int passages)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter("Polly", LogLevel.None); // timeouts under overload are counted in the table
        builder.Services.AddSingleton(new PassageIndexOptions { Passages = passages });
        builder.Services.AddSingleton<PassageIndex>(sp => new PassageIndex(sp.GetRequiredService<AgentDsl.Kernels.KernelDevices>(), sp.GetRequiredService<PassageIndexOptions>()));
        if (placement != "planned")
        {
            builder.Services.AddSingleton<IPlacementPolicy>(new FixedPlacement(placement == "all-opencl"));
        }

        builder.UseAgentDsl(agentDsl => agentDsl.AddGraph<SupportAgent>().AddOpenClDevices());
        using var host = builder.Build();
        await host.StartAsync();
        var runner = host.Services.GetRequiredService<IAgentRunner<SupportAgent>>();

        // Warm-up, not counted: JIT, kernel caches, and the planner's first measurements (calibration).
        for (int i = 0; i < 48; i++)
        {
            try
            {
                await runner.RunAsync(Questions[i % Questions.Length]);
            }
            catch (AgentRequestRejectedException)
            {
            }
        }

        int offered = Math.Max(1, (int)(rate * duration.TotalSeconds));
        var latencies = new List<double>(offered);
        int completed = 0, failed = 0, rejected = 0, met = 0;
        var tasks = new List<Task>(offered);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < offered; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            string question = Questions[i % Questions.Length];
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var result = await runner.RunAsync(question);
                    lock (latencies)
                    {
                        latencies.Add(result.Elapsed.TotalMilliseconds);
                        completed++;
                        met += result.MetSla ? 1 : 0;
                    }
                }
                catch (AgentRequestRejectedException)
                {
                    Interlocked.Increment(ref rejected);
                }
                catch (AgentNodeException)
                {
                    Interlocked.Increment(ref failed);
                }
            }));
        }

        await Task.WhenAll(tasks);
        double seconds = clock.Elapsed.TotalSeconds;
        var devices = host.Services.GetRequiredService<AgentRuntime>();
        var placed = ((AgentRunner<SupportAgent>)runner).Placement;
        string where = $"{placed[SupportAgent.Definition.GetNode("Embed").Id].Descriptor.Name}, {placed[SupportAgent.Definition.GetNode("Search").Id].Descriptor.Name}";
        await host.StopAsync();

        latencies.Sort();
        return new LoadResult(
            placement,
            rate,
            offered,
            completed,
            failed,
            rejected,
            completed / seconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            (double)met / offered,
            where);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>The sample questions (the QuickStart's batch and the load test cycle through them).</summary>
    public static readonly string[] Questions =
    [
        "How can I reset my password?",
        "The app crashes on start, my e-mail is jane.doe@example.com",
        "When are invoices sent?",
        "How do I enable two-factor authentication?",
        "The dashboard is slow",
        "Call me at 5551234567 about a refund",
        "How can I create an API key?",
        "Export failed for a 3 GB file",
    ];

    /// <summary>Everything on the CPU, or every node the OpenCL device can run on OpenCL (the rest on the CPU).</summary>
    private sealed class FixedPlacement(bool openCl) : IPlacementPolicy
    {
        public IReadOnlyList<IAgentDevice> Place(GraphDefinition graph, IReadOnlyList<IAgentDevice> devices)
        {
            var cpu = devices.First(d => d.Descriptor.Kind == AgentDsl.DeviceKinds.Cpu && d is CpuDevice);
            var gpu = devices.FirstOrDefault(d => d.Descriptor.Name.StartsWith("opencl:", StringComparison.Ordinal));
            return [.. graph.Nodes.Select(n => openCl && gpu is not null && gpu.CanHost(n) ? gpu : cpu)];
        }
    }
}
