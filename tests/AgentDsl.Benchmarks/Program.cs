using System.Globalization;
using AgentDsl.Planning.OrTools;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- --filter '*'      (BenchmarkDotNet)
// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- gap [count] [nodes] (HEFT vs CP-SAT optimum)
if (args.Length > 0 && args[0] == "gap")
{
    int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
    int nodes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    var samples = GapHarness.Measure(seed: 1, count, nodes, TimeSpan.FromSeconds(60));
    foreach (var s in samples)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {s.Seed,3}: HEFT {s.HeuristicSeconds * 1000,9:0.###} ms  optimum {s.ExactSeconds * 1000,9:0.###} ms  {(s.Optimal ? "proven" : "time limit"),-10}  gap {s.Gap,7:P2}"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} graphs of {nodes} nodes on {GapHarness.DefaultDevices().Count} devices: mean gap {samples.Average(s => s.Gap):P2}, median {samples.Select(s => s.Gap).Order().ElementAt(count / 2):P2}, worst {samples.Max(s => s.Gap):P2}; {samples.Count(s => s.Gap < 1e-9)} of {count} optimal; all proven: {samples.All(s => s.Optimal)}"));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
