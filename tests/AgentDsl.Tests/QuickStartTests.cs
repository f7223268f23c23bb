using System.Diagnostics;
using AgentDsl.Ir;
using Xunit;

namespace AgentDsl.Tests;

/// <summary>Runs the QuickStart program as a user does (its built entry point), on the generic host, end to end.</summary>
public class QuickStartTests
{
    [Fact]
    public async Task QuickStart_RunsABatch_PrintsTheGraphTimingsAndSla_AndWritesDot()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "agentdsl-quickstart-" + Guid.NewGuid().ToString("N"));
        string dll = Path.Combine(AppContext.BaseDirectory, "QuickStart.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--requests", "5", "--out", outDir })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout;

        Assert.True(process.ExitCode == 0, $"QuickStart exited with {process.ExitCode}:\n{output}\n{await stderr}");
        Assert.Contains("Graph SupportAgent: 7 nodes", output, StringComparison.Ordinal);
        Assert.Contains("[4] Search", output, StringComparison.Ordinal);
        Assert.Matches(@"Total latency: mean [0-9.]+ ms, max [0-9.]+ ms; SLA 250 ms met by [0-5]/5 requests\.", output);
        Assert.Contains("Per-node timings over 5 requests", output, StringComparison.Ordinal);
        foreach (var node in QuickStart.SupportAgent.Definition.Nodes)
        {
            Assert.Contains("  " + node.Name, output, StringComparison.Ordinal);
        }

        // The lookup's kernel runs where the planner put the lookup: on an OpenCL device, or managed when it is on the CPU
        // (with eight passages the CPU is faster, and the measurements say so).
        var searchDevice = System.Text.RegularExpressions.Regex.Match(output, @"\n  Search\s+(\S+)\s").Groups[1].Value;
        Assert.Matches(searchDevice.StartsWith("opencl:", StringComparison.Ordinal) ? "scoring kernel ran on: opencl:" : "scoring kernel ran on: managed", output);
        Assert.Matches("^(cpu|opencl:.*)$", searchDevice);

        string dot = File.ReadAllText(Path.Combine(outDir, "SupportAgent.dot"));
        Assert.Equal(QuickStart.SupportAgent.Definition.ToDot(), dot);
        Assert.Contains(Path.Combine(outDir, "SupportAgent.dot"), output, StringComparison.Ordinal);
        Directory.Delete(outDir, recursive: true);
    }

    [Fact]
    public async Task LoadTest_DrivesEveryPlacementAtEachRate_AndEveryRequestIsAccountedFor()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "agentdsl-load-" + Guid.NewGuid().ToString("N"));
        string dll = Path.Combine(AppContext.BaseDirectory, "QuickStart.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--load", "--rates", "10,40", "--seconds", "1", "--passages", "1024", "--out", outDir })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout;
        Assert.True(process.ExitCode == 0, $"QuickStart --load exited with {process.ExitCode}:\n{output}\n{await stderr}");

        var rows = File.ReadAllLines(Path.Combine(outDir, "loadtest.txt")).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(6, rows.Count);
        Assert.Equal(["planned", "planned", "all-cpu", "all-cpu", "all-opencl", "all-opencl"], rows.Select(r => r[0]));
        foreach (var r in rows)
        {
            int offered = int.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture);
            int done = int.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture);
            int failed = int.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture);
            int rejected = int.Parse(r[5], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(double.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), offered); // one second at each rate
            Assert.Equal(offered, done + failed + rejected);
            Assert.True(done > 0);
        }

        // With OpenCL required (CI), the all-OpenCL rows really ran the lookup on an OpenCL device.
        if (Environment.GetEnvironmentVariable("AGENTDSL_REQUIRE_OPENCL") == "1")
        {
            Assert.All(rows.Where(r => r[0] == "all-opencl"), r => Assert.StartsWith("opencl:", r[^1], StringComparison.Ordinal));
        }

        Directory.Delete(outDir, recursive: true);
    }
}
