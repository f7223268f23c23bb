using System.Diagnostics;

namespace AgentDsl.Tests;

/// <summary>Runs the real mlir-opt (Debian mlir-15-tools). Missing tools fail the test: scripts/test.sh installs them.</summary>
internal static class MlirOpt
{
    private static readonly string[] Candidates =
    [
        Environment.GetEnvironmentVariable("AGENTDSL_MLIR_OPT") ?? string.Empty,
        "/usr/bin/mlir-opt-15",
        "/usr/lib/llvm-15/bin/mlir-opt",
        "/usr/bin/mlir-opt",
    ];

    public static string Path { get; } = Candidates.FirstOrDefault(c => c.Length > 0 && File.Exists(c))
        ?? throw new InvalidOperationException(
            "mlir-opt was not found (looked in " + string.Join(", ", Candidates.Where(c => c.Length > 0)) + "). "
            + "Install it with 'apt-get install mlir-15-tools' or run scripts/test.sh, which does; AGENTDSL_MLIR_OPT overrides the path.");

    /// <summary>Parses and verifies <paramref name="mlir"/>; returns exit code, the re-printed module and errors.</summary>
    public static (int ExitCode, string Output, string Error) Run(string mlir, params string[] extraArgs)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--allow-unregistered-dialect");
        foreach (var arg in extraArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.ArgumentList.Add("-");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(mlir);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("mlir-opt did not finish in 60 s.");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
