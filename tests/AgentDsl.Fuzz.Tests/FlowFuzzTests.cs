using System.Diagnostics;
using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Fuzz.Tests;

/// <summary>
/// Differential fuzzing of flows (see <see cref="FlowFuzzer"/>). CI runs a fixed seed range; a long run takes
/// <c>AGENTDSL_FUZZ_PROGRAMS=N</c> (fresh seeds unless <c>AGENTDSL_FUZZ_SEED</c> gives the first), see docs/development.md.
/// </summary>
public class FlowFuzzTests(ITestOutputHelper output)
{
    /// <summary>Programs in CI, from seed 1.</summary>
    private const int CiPrograms = 3_000;

    private const int BatchSize = 100;

    /// <summary>The analyzers (checked for AD0001 and their errors) run on every fourth batch: they cost four times the generator.</summary>
    private const int AnalyzerEvery = 4;

    [Fact]
    public async Task RandomFlows_AreRejectedAtTheirLocation_OrRunThroughTheRuntimeLikeTheDirectCall()
    {
        var (first, count) = FuzzSettings.Range("AGENTDSL_FUZZ_PROGRAMS", CiPrograms);
        output.WriteLine($"programs {count} from seed {first} (AGENTDSL_FUZZ_SEED={first} AGENTDSL_FUZZ_PROGRAMS={count} reproduces this run)");
        var stats = new FuzzStats();
        var failures = new List<FuzzFailure>();
        var clock = Stopwatch.StartNew();

        // Batches compile concurrently (one per two cores: on two, one at a time); their graphs run one batch at a time.
        using var cores = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount / 2));
        var batches = new List<Task>();
        int batch = 0;
        for (long start = first; start < first + count; start += BatchSize)
        {
            await cores.WaitAsync();
            lock (stats)
            {
                if (failures.Count >= 10)
                {
                    cores.Release();
                    break;
                }
            }

            int size = (int)Math.Min(BatchSize, first + count - start);
            if (Environment.GetEnvironmentVariable("AGENTDSL_FUZZ_LOG") is { } log)
            {
                File.AppendAllText(log, $"{DateTime.UtcNow:O} batch from seed {start}\n"); // where a crashed long run was
            }

            int[] seeds = [.. Enumerable.Range(0, size).Select(i => unchecked((int)(start + i)))];
            bool analyzers = batch++ % AnalyzerEvery == 0;
            batches.Add(Task.Run(async () =>
            {
                try
                {
                    var (s, f) = await FlowFuzzer.RunBatchAsync(seeds, analyzers);
                    lock (stats)
                    {
                        if (f.Count > 0 && Environment.GetEnvironmentVariable("AGENTDSL_FUZZ_LOG") is { } log)
                        {
                            File.AppendAllText(log, string.Join("\n\n", f) + "\n");
                        }

                        stats.Merge(s);
                        failures.AddRange(f);
                    }
                }
                finally
                {
                    cores.Release();
                }
            }));
        }

        await Task.WhenAll(batches);
        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"{stats.Programs} programs in {seconds:F1} s ({stats.Programs / seconds:F0}/s): {stats.Rejected} rejected with located ADSL errors, {stats.Run} run ({stats.Requests} requests, each compared with the direct call)");
        output.WriteLine($"time summed over batches (which overlap): generator {stats.Time.GetValueOrDefault("generating").TotalSeconds:F1} s, analyzers {stats.Time.GetValueOrDefault("analyzing").TotalSeconds:F1} s, emitting {stats.Time.GetValueOrDefault("emitting").TotalSeconds:F1} s, running {stats.Time.GetValueOrDefault("running").TotalSeconds:F1} s; generated {stats.GeneratedChars / Math.Max(1, stats.Programs)} characters per program");
        output.WriteLine($"meant to be valid but rejected: {stats.IntendedValidRejected}; meant to be outside the language but accepted (and equal): {stats.IntendedInvalidAccepted}");
        foreach (var (message, n) in stats.RejectionsOfIntendedValid.OrderByDescending(kv => kv.Value).Take(15))
        {
            output.WriteLine($"  rejected x{n}: {message}");
            if (Environment.GetEnvironmentVariable("AGENTDSL_FUZZ_EXAMPLES") is not null)
            {
                var (seed, source, line) = stats.Examples[message];
                output.WriteLine($"    e.g. seed {seed}, line {line}:\n{source[..source.IndexOf("    public static string Helper", StringComparison.Ordinal)]}");
            }
        }

        foreach (var (construct, n) in stats.AcceptedInjections.OrderByDescending(kv => kv.Value))
        {
            output.WriteLine($"  accepted x{n}: {construct}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} program(s) broke the contract:\n\n" + string.Join("\n\n", failures.Take(3)));
        Assert.True(stats.Run > stats.Programs / 2, $"Only {stats.Run} of {stats.Programs} programs were accepted: the generator should mostly write valid flows.");
    }
}

/// <summary>Seeds and counts for the fuzz tests from the environment.</summary>
internal static class FuzzSettings
{
    /// <summary>The first seed and the count: <c>AGENTDSL_FUZZ_SEED</c> (default 1, or a fresh one when the count is set) and <paramref name="countVariable"/>.</summary>
    public static (long First, long Count) Range(string countVariable, int ciCount)
    {
        string? count = Environment.GetEnvironmentVariable(countVariable);
        string? seed = Environment.GetEnvironmentVariable("AGENTDSL_FUZZ_SEED");
        long n = count is null ? ciCount : long.Parse(count, CultureInfo.InvariantCulture);
        long first = seed is not null ? long.Parse(seed, CultureInfo.InvariantCulture) : count is null ? 1 : Random.Shared.Next(1, int.MaxValue / 2);
        return (first, n);
    }
}
