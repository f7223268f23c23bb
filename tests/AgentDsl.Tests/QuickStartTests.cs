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

        // The lookup operator's kernel runs on OpenCL when there is a platform (CI requires one), else on the CPU.
        Assert.Matches(Environment.GetEnvironmentVariable("AGENTDSL_REQUIRE_OPENCL") == "1" ? "scoring kernel ran on: opencl:" : "scoring kernel ran on: (opencl:|managed)", output);

        string dot = File.ReadAllText(Path.Combine(outDir, "SupportAgent.dot"));
        Assert.Equal(QuickStart.SupportAgent.Definition.ToDot(), dot);
        Assert.Contains(Path.Combine(outDir, "SupportAgent.dot"), output, StringComparison.Ordinal);
        Directory.Delete(outDir, recursive: true);
    }
}
