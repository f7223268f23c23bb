using System.Globalization;
using AgentDsl.Planning.OrTools;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- --filter '*'      (BenchmarkDotNet)
// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- gap [count] [nodes] [branches] (HEFT vs CP-SAT optimum; branches: guarded nodes and fan-outs too)
// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- quick [name part] [alloc] [rounds=N] [each] [pool]
//   (rough dispatch loop for iterating: alloc = bytes by type; rounds=N = rounds (5); each = print every round with bytes, pool items, threads, GCs; pool = worker-count changes)
// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- retrieval-corpus  (load, chunk and embed the whole reference-pack corpus once)
// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- http-load [requests] [concurrency]  (the same graph in process and over HTTP on loopback: p50/p99, SLA)
if (args.Length > 0 && args[0] == "http-load")
{
    await AgentDsl.Benchmarks.HttpLoadRun.RunAsync(args);
    return;
}

if (args.Length > 0 && args[0] == "retrieval-corpus")
{
    AgentDsl.Benchmarks.RetrievalCorpusRun.Run();
    return;
}

if (args.Length > 0 && args[0] == "gap")
{
    int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
    int nodes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    bool branches = args.Length > 3 && args[3] == "branches";
    var samples = GapHarness.Measure(seed: 1, count, nodes, TimeSpan.FromSeconds(60), branches);
    foreach (var s in samples)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {s.Seed,3}: HEFT {s.HeuristicSeconds * 1000,9:0.###} ms  optimum {s.ExactSeconds * 1000,9:0.###} ms  {(s.Optimal ? "proven" : "time limit"),-10}  gap {s.Gap,7:P2}"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} graphs of {nodes} nodes on {GapHarness.DefaultDevices().Count} devices: mean gap {samples.Average(s => s.Gap):P2}, median {samples.Select(s => s.Gap).Order().ElementAt(count / 2):P2}, worst {samples.Max(s => s.Gap):P2}; {samples.Count(s => s.Gap < 1e-9)} of {count} optimal; all proven: {samples.All(s => s.Optimal)}"));
    return;
}

if (args.Length > 0 && args[0] == "quick")
{
    // A rough loop for iterating on dispatch cost; the numbers that count come from BenchmarkDotNet.
    using var poolListener = args.Contains("pool") ? new AgentDsl.Benchmarks.PoolListener() : null;
    var bench = new AgentDsl.Benchmarks.DispatchBenchmarks();
    bench.Setup();
    var cases = new (string Name, Func<Task<int>> Run)[]
    {
        ("chain runner", bench.ChainRunner), ("chain dataflow", bench.ChainDataflow),
        ("wide runner", bench.WideRunner), ("wide dataflow", bench.WideDataflow),
        ("async chain direct", bench.YieldChainDirect), ("async chain runner", bench.YieldChainRunner), ("async chain dataflow", bench.YieldChainDataflow),
        ("async wide direct", bench.YieldWideDirect), ("async wide runner", bench.YieldWideRunner), ("async wide dataflow", bench.YieldWideDataflow),
    };
    var selected = cases.Where(c => args.Length < 2 || c.Name.Contains(args[1], StringComparison.Ordinal)).ToArray();
    var best = new double[selected.Length];
    Array.Fill(best, double.MaxValue);
    var items = new double[selected.Length];
    var bytes = new double[selected.Length];

    // Rounds interleave the cases (this machine's speed drifts); the best round of each is reported.
    int rounds = args.FirstOrDefault(a => a.StartsWith("rounds=", StringComparison.Ordinal)) is { } r ? int.Parse(r[7..], CultureInfo.InvariantCulture) : 5;
    for (int round = 0; round < rounds; round++)
    {
        for (int c = 0; c < selected.Length; c++)
        {
            var run = selected[c].Run;
            for (int i = 0; i < 5_000; i++)
            {
                await run();
            }

            long pool = ThreadPool.CompletedWorkItemCount;
            long allocated = GC.GetTotalAllocatedBytes(precise: false);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            const int n = 30_000;
            for (int i = 0; i < n; i++)
            {
                await run();
            }

            double ns = watch.Elapsed.TotalMilliseconds * 1e6 / n;
            if (args.Contains("each"))
            {
                Console.Write(string.Create(CultureInfo.InvariantCulture, $"{ns:0}/{(GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)n:0}B/{(ThreadPool.CompletedWorkItemCount - pool) / (double)n:0.0}i/{ThreadPool.ThreadCount}t/{GC.CollectionCount(0)}g "));
            }

            if (ns < best[c])
            {
                best[c] = ns;
                items[c] = (ThreadPool.CompletedWorkItemCount - pool) / (double)n;
                bytes[c] = (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)n;
            }
        }
    }

    if (args.Contains("alloc"))
    {
        // Where the bytes go: the runtime's allocation samples by type, over the last case's measured loop.
        using var listener = new AgentDsl.Benchmarks.AllocationListener();
        for (int i = 0; i < 200_000; i++)
        {
            await selected[^1].Run();
        }

        long total = listener.Bytes.Values.Sum();
        foreach (var (type, b) in listener.Bytes.OrderByDescending(kv => kv.Value).Take(25))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{b * 100.0 / total,6:0.0}%  {type}"));
        }
    }

    for (int c = 0; c < selected.Length; c++)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{selected[c].Name,-22} {best[c],9:0} ns {items[c],6:0.0} pool items {bytes[c],8:0} B"));
    }

    bench.Cleanup();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
