using System.Diagnostics;
using System.Globalization;
using AgentDsl.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace RagAgent;

/// <summary>One row of the load test: one placement at one offered rate.</summary>
public sealed record RagLoadRow(string Placement, double Rate, int Offered, int Completed, int Failed, int Rejected, double P50Ms, double P99Ms, double Attainment, double UsdPerThousand, string Split);

/// <summary>
/// The RAG agent at rising request rates (open loop: requests arrive on schedule whether or not earlier ones finished;
/// bounded in time), under the planned placement (two llama.cpp contexts, prefill and decode split by the cost model)
/// and a single context doing both: p50/p99 latency, SLA attainment (completed within the SLA over offered) and cost
/// per request.
/// </summary>
public static class RagLoadTest
{
    public static string Header => $"{"placement",-9} {"rate/s",6} {"offered",7} {"done",5} {"failed",6} {"rejected",8} {"p50 ms",8} {"p99 ms",8} {"SLA",5} {"$/1k req",9}  split (prefill→decode: calls)";

    public static async Task<IReadOnlyList<RagLoadRow>> RunAsync(AgentSetup setup, double[] rates, TimeSpan duration, TextWriter output)
    {
        var rows = new List<RagLoadRow>();
        output.WriteLine($"Load test: DocsAgent, SLA {DocsAgent.Definition.Sla.LatencyMs} ms, {duration.TotalSeconds:0} s per rate; seeded model unless --model (its text is noise, its work real)");
        output.WriteLine(Header);
        foreach (string placement in new[] { "planned", "single" })
        {
            var (host, _) = await AgentHost.StartAsync(setup with { Placement = placement }, []);
            using (host)
            {
                var runner = host.Services.GetRequiredService<IAgentRunner<DocsAgent>>();
                for (int i = 0; i < 4; i++)
                {
                    await runner.RunAsync("warm-up: how do I parse an integer?"); // JIT and the engine's calibration
                }

                foreach (double rate in rates)
                {
                    var row = await RunRateAsync(runner, placement, rate, duration);
                    rows.Add(row);
                    output.WriteLine(Format(row));
                }

                await host.StopAsync();
            }
        }

        return rows;
    }

    public static string Format(RagLoadRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Placement,-9} {r.Rate,6:0.##} {r.Offered,7} {r.Completed,5} {r.Failed,6} {r.Rejected,8} {r.P50Ms,8:0} {r.P99Ms,8:0} {r.Attainment,5:P0} {r.UsdPerThousand,9:0.000}  {r.Split}");

    private static async Task<RagLoadRow> RunRateAsync(IAgentRunner<DocsAgent> runner, string placement, double rate, TimeSpan duration)
    {
        string[] questions = ["How do I sort a list?", "Which type reads a file line by line?", "How is a task cancelled?", "What formats a date as text?"];
        int offered = (int)Math.Max(1, Math.Round(rate * duration.TotalSeconds));
        var tasks = new List<Task<AgentRunResult?>>(offered);
        var clock = Stopwatch.StartNew();
        int rejected = 0, failed = 0;
        for (int i = 0; i < offered; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            string q = questions[i % questions.Length];
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    return (AgentRunResult?)await runner.RunUntypedAsync([q], null);
                }
                catch (AgentRequestRejectedException)
                {
                    Interlocked.Increment(ref rejected);
                }
                catch (AgentNodeException)
                {
                    Interlocked.Increment(ref failed);
                }

                return null;
            }));
        }

        var done = (await Task.WhenAll(tasks)).OfType<AgentRunResult>().ToList();
        var latencies = done.Select(r => r.Elapsed.TotalMilliseconds).Order().ToList();
        double Pct(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        string split = string.Join(", ", done.Select(r => r.Nodes.Single(n => n.Name == "Answer"))
            .Select(n => n.Phases.Count > 0 ? $"{n.Phases[0].Device}→{n.Device}" : n.Device)
            .GroupBy(s => s).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}: {g.Count()}"));
        return new RagLoadRow(placement, rate, offered, done.Count, failed, rejected, Pct(0.5), Pct(0.99),
            done.Count(r => r.MetSla) / (double)offered, done.Count == 0 ? double.NaN : done.Average(r => r.CostUsd) * 1000, split);
    }

    /// <summary>p99 latency and SLA attainment against the offered rate, one line per placement (ScottPlot, SVG).</summary>
    public static void Chart(IReadOnlyList<RagLoadRow> rows, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var group in rows.GroupBy(r => r.Placement))
        {
            var line = plot.Add.Scatter(group.Select(r => r.Rate).ToArray(), group.Select(r => r.P99Ms).ToArray());
            line.LegendText = $"{group.Key}: p99 latency (ms)";
        }

        var sla = plot.Add.HorizontalLine(DocsAgent.Definition.Sla.LatencyMs);
        sla.LegendText = "SLA";
        sla.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Title("DocsAgent (MiniLM on ONNX Runtime, OpenCL top-k, llama.cpp): p99 latency vs offered rate");
        plot.XLabel("offered requests per second");
        plot.YLabel("p99 latency (ms)");
        plot.ShowLegend();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        plot.SaveSvg(path, 900, 500);
    }
}
