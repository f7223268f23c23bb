using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using AgentDsl.Analyzers;
using AgentDsl.Execution;
using AgentDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Fuzz.Tests;

/// <summary>A program that broke the contract: what went wrong, and the seed and source to reproduce it.</summary>
internal sealed record FuzzFailure(int Seed, string Kind, string Detail, string Source)
{
    public override string ToString() => $"seed {Seed}: {Kind}: {Detail}\n--- source (regenerate with AGENTDSL_FUZZ_SEED={Seed} AGENTDSL_FUZZ_PROGRAMS=1) ---\n{Source}";
}

/// <summary>Counts over a run.</summary>
internal sealed class FuzzStats
{
    public int Programs;
    public int Rejected;
    public int Run;
    public int Requests;
    public int IntendedValidRejected;
    public int IntendedInvalidAccepted;
    public Stopwatch Lowering { get; } = new();
    public Stopwatch Emitting { get; } = new();
    public Stopwatch Running { get; } = new();
    public Dictionary<string, int> RejectionsOfIntendedValid { get; } = [];
    public Dictionary<string, int> AcceptedInjections { get; } = [];
    public Dictionary<string, (int Seed, string Source, int Line)> Examples { get; } = [];
    public Stopwatch Generating { get; } = new();
    public long GeneratedChars;
    public Stopwatch Analyzing { get; } = new();

    /// <summary>Time summed over merged batches (which may overlap), by stopwatch name.</summary>
    public Dictionary<string, TimeSpan> Time { get; } = [];

    /// <summary>Adds a batch's counts and times.</summary>
    public void Merge(FuzzStats b)
    {
        Programs += b.Programs;
        Rejected += b.Rejected;
        Run += b.Run;
        Requests += b.Requests;
        IntendedValidRejected += b.IntendedValidRejected;
        IntendedInvalidAccepted += b.IntendedInvalidAccepted;
        GeneratedChars += b.GeneratedChars;
        foreach (var (k, v) in b.RejectionsOfIntendedValid)
        {
            RejectionsOfIntendedValid[k] = RejectionsOfIntendedValid.GetValueOrDefault(k) + v;
        }

        foreach (var (k, v) in b.AcceptedInjections)
        {
            AcceptedInjections[k] = AcceptedInjections.GetValueOrDefault(k) + v;
        }

        foreach (var (k, v) in b.Examples)
        {
            if (!Examples.TryGetValue(k, out var known) || known.Source.Length > v.Source.Length)
            {
                Examples[k] = v;
            }
        }

        foreach (var (name, watch) in new[] { ("lowering", b.Lowering), ("generating", b.Generating), ("analyzing", b.Analyzing), ("emitting", b.Emitting), ("running", b.Running) })
        {
            Time[name] = Time.GetValueOrDefault(name) + watch.Elapsed;
        }
    }
}

/// <summary>
/// Differential flow fuzzing: a batch of generated graph classes is compiled in memory with the real generator and
/// analyzers; every class must either get located ADSL errors in its flow, or compile to a graph whose result and
/// operator calls (with arguments) through the runtime equal calling the flow method directly. Never a generator or
/// analyzer exception (CS8785, AD0001), never a hang.
/// </summary>
internal static class FlowFuzzer
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(20);
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(AgentGraphAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(FuzzOps).Assembly.Location),
    ];

    /// <summary>Compiles, checks and runs one batch; <paramref name="analyzers"/> also runs the declaration analyzer on it (FlowAnalyzer, which reports the flow errors, always runs).</summary>
    public static async Task<(FuzzStats Stats, List<FuzzFailure> Failures)> RunBatchAsync(IReadOnlyList<int> seeds, bool analyzers)
    {
        var stats = new FuzzStats();
        var failures = new List<FuzzFailure>();
        await RunBatchAsync(seeds, analyzers, stats, failures);
        return (stats, failures);
    }

    /// <summary>One batch at a time runs graphs: the operators record into one log.</summary>
    private static readonly SemaphoreSlim RunGate = new(1);

    private static async Task RunBatchAsync(IReadOnlyList<int> seeds, bool analyzers, FuzzStats stats, List<FuzzFailure> failures)
    {
        var programs = seeds.Select(FlowProgramGenerator.Generate).ToList();
        stats.Programs += programs.Count;
        var inner = CSharpSyntaxTree.ParseText(FlowProgramGenerator.InnerSource, ParseOptions, path: "Inner.cs");
        var trees = programs.ToDictionary(p => p.ClassName, p => CSharpSyntaxTree.ParseText(p.Source, ParseOptions, path: p.Path));
        var compilation = CSharpCompilation.Create(
            "Fuzz" + seeds[0].ToString(CultureInfo.InvariantCulture),
            [inner, .. trees.Values],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // The generator and the analyzers, under a timeout: a hang fails the batch instead of the whole test run.
        stats.Lowering.Start();
        var lowering = Task.Run(() => Lower(compilation, analyzers, stats));
        if (await Task.WhenAny(lowering, Task.Delay(TimeSpan.FromMinutes(2))) != lowering)
        {
            failures.Add(new FuzzFailure(seeds[0], "hang", $"the generator or the analyzers did not finish in 2 minutes on the batch of seeds {seeds[0]}…{seeds[^1]}", ""));
            return;
        }

        var (output, diagnostics, crash) = await lowering;
        stats.Lowering.Stop();
        if (crash is not null)
        {
            // Find the programs that crash it on their own, for a reproducer each.
            int before = failures.Count;
            foreach (var program in programs)
            {
                var alone = compilation.RemoveSyntaxTrees(trees.Values.Where(t => t != trees[program.ClassName]));
                if (Lower(alone, analyzers, new FuzzStats()).Crash is { } own)
                {
                    failures.Add(new FuzzFailure(program.Seed, "generator or analyzer exception", own, program.Source));
                }
            }

            if (failures.Count == before)
            {
                failures.Add(new FuzzFailure(seeds[0], "generator or analyzer exception (only with the whole batch)", crash, string.Join("\n", programs.Select(p => p.Source))));
            }

            return;
        }

        var keep = new List<FlowProgram>();
        foreach (var program in programs)
        {
            var flow = trees[program.ClassName].GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == "Run").Span;

            // The generator's diagnostics carry file locations (path and span), not the tree itself.
            var adsl = diagnostics.Where(d => d.Id.StartsWith("ADSL", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error
                && (d.Location.GetLineSpan().Path == program.Path || Owner(d.Location.SourceTree) == program.ClassName
                    || (!d.Location.IsInSource && d.GetMessage(CultureInfo.InvariantCulture).Contains("'" + program.ClassName + "'", StringComparison.Ordinal)))).ToList();
            var unlocated = adsl.Where(d => d.Location.GetLineSpan().Path != program.Path || !flow.Contains(d.Location.SourceSpan)).ToList();
            if (unlocated.Count > 0)
            {
                failures.Add(new FuzzFailure(program.Seed, "ADSL error outside the flow", string.Join("; ", unlocated), program.Source));
                continue;
            }

            if (adsl.Count > 0)
            {
                stats.Rejected++;
                if (program.IntendedValid)
                {
                    stats.IntendedValidRejected++;
                    string key = adsl[0].Id + " " + Normalize(adsl[0].GetMessage(CultureInfo.InvariantCulture));
                    stats.RejectionsOfIntendedValid[key] = stats.RejectionsOfIntendedValid.GetValueOrDefault(key) + 1;
                    if (!stats.Examples.TryGetValue(key, out var known) || known.Source.Length > program.Source.Length)
                    {
                        stats.Examples[key] = (program.Seed, program.Source, adsl[0].Location.GetLineSpan().StartLinePosition.Line + 1);
                    }
                }

                continue;
            }

            keep.Add(program);
        }

        // Emit the accepted classes only (a rejected class's generated members only throw, naming its errors); a class whose
        // source or generated code has compile errors without an ADSL error is a failure, and the rest is emitted again.
        stats.Emitting.Start();
        using var image = new MemoryStream();
        for (int attempt = 0; ; attempt++)
        {
            var names = keep.Select(p => p.ClassName).ToHashSet();
            var emitted = output.RemoveSyntaxTrees(output.SyntaxTrees.Where(t => Owner(t) is { } owner && !names.Contains(owner)));
            image.SetLength(0);
            var emit = emitted.Emit(image);
            if (emit.Success)
            {
                break;
            }

            var errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var broken = keep.Where(p => errors.Any(d => Owner(d.Location.SourceTree) == p.ClassName)).ToList();
            if (broken.Count == 0 || attempt == 2)
            {
                stats.Emitting.Stop();
                failures.Add(new FuzzFailure(seeds[0], "emit failed", string.Join("; ", errors.Take(5)), string.Join("\n", keep.Select(p => p.Source))));
                return;
            }

            foreach (var program in broken)
            {
                var mine = errors.Where(d => Owner(d.Location.SourceTree) == program.ClassName).ToList();
                bool generatedCode = mine.All(d => d.Location.SourceTree!.FilePath != program.Path);
                failures.Add(new FuzzFailure(program.Seed, generatedCode ? "generated code does not compile" : "compile errors without an ADSL error", string.Join("; ", mine.Take(5)), program.Source));
                keep.Remove(program);
            }
        }

        foreach (var program in keep.Where(p => !p.IntendedValid))
        {
            stats.IntendedInvalidAccepted++;
            string key = Normalize(program.Injected!);
            stats.AcceptedInjections[key] = stats.AcceptedInjections.GetValueOrDefault(key) + 1;
        }

        stats.Emitting.Stop();
        image.Position = 0;
        // Not collectible: a run over collectible contexts once ended in a fault inside the CLR (under heavy load, with
        // other builds running); each batch's assembly stays loaded, a few MB per 100 programs.
        var assembly = new AssemblyLoadContext("fuzz-" + seeds[0].ToString(CultureInfo.InvariantCulture)).LoadFromStream(image);
        await RunGate.WaitAsync();
        try
        {
            stats.Running.Start();
            await RunAsync(assembly, keep, stats, failures);
            stats.Running.Stop();
        }
        finally
        {
            RunGate.Release();
        }
    }

    /// <summary>The graph definitions of the programs of <paramref name="seeds"/> that the generator accepts: samples of the IR.</summary>
    public static async Task<List<Ir.GraphDefinition>> DefinitionsAsync(IReadOnlyList<int> seeds)
    {
        var programs = seeds.Select(FlowProgramGenerator.Generate).ToList();
        var compilation = CSharpCompilation.Create(
            "FuzzSamples",
            [CSharpSyntaxTree.ParseText(FlowProgramGenerator.InnerSource, ParseOptions, path: "Inner.cs"), .. programs.Select(p => CSharpSyntaxTree.ParseText(p.Source, ParseOptions, path: p.Path))],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var (output, diagnostics, _) = await Task.Run(() => Lower(compilation, runAnalyzers: false, new FuzzStats()));
        var rejected = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => Path.GetFileNameWithoutExtension(d.Location.GetLineSpan().Path)).ToHashSet();
        var emitted = output.RemoveSyntaxTrees(output.SyntaxTrees.Where(t => Owner(t) is { } owner && rejected.Contains(owner)));
        using var image = new MemoryStream();
        if (!emitted.Emit(image).Success)
        {
            return [];
        }

        image.Position = 0;
        var assembly = new AssemblyLoadContext("fuzz-samples").LoadFromStream(image);
        return [.. assembly.GetTypes().Where(t => t.Namespace == "Fuzz" && t.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static) is not null)
            .Select(t => (Ir.GraphDefinition)t.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)];
    }

    /// <summary>The program class a tree belongs to: its source file (<c>G12.cs</c>) or a generated one (<c>Fuzz.G12.….g.cs</c>); null for Inner.</summary>
    private static string? Owner(SyntaxTree? tree)
    {
        string name = Path.GetFileName(tree?.FilePath ?? "");
        if (name.StartsWith("Fuzz.G", StringComparison.Ordinal))
        {
            return name.Split('.')[1];
        }

        return name.StartsWith('G') && name.EndsWith(".cs", StringComparison.Ordinal) ? name[..^3] : null;
    }

    private static string Normalize(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @"\b[vcyatlzie]\d+\b|'[^']*'", "…");

    private static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create([new FlowGraphGenerator().AsSourceGenerator()], parseOptions: ParseOptions);

    private static (Compilation Output, List<Diagnostic> Diagnostics, string? Crash) Lower(CSharpCompilation compilation, bool runAnalyzers, FuzzStats stats)
    {
        stats.Generating.Start();
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult().Results.Single();
        if (run.Exception is not null)
        {
            return (output, [], run.Exception.ToString());
        }

        stats.Generating.Stop();
        stats.GeneratedChars += output.SyntaxTrees.Skip(compilation.SyntaxTrees.Length).Sum(t => (long)t.Length);
        var crashes = generatorDiagnostics.Where(d => d.Id is "CS8785" or "AD0001").ToList();
        if (crashes.Count > 0)
        {
            return (output, [], string.Join("\n", crashes));
        }

        // The flow's lowering errors come from FlowAnalyzer (the generator reports none), so it always runs; the
        // declaration analyzer only when asked.
        DiagnosticAnalyzer[] chosen = runAnalyzers ? [new FlowAnalyzer(), new SharedMutableValueAnalyzer(), new GraphDeclarationAnalyzer()] : [new FlowAnalyzer()];
        var analyzers = output.WithAnalyzers(
            [.. chosen],
            new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        stats.Analyzing.Start();
        var all = analyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        stats.Analyzing.Stop();
        var analyzerCrashes = all.Where(d => d.Id is "AD0001" or "CS8785").ToList();
        if (analyzerCrashes.Count > 0)
        {
            return (output, [], string.Join("\n", analyzerCrashes));
        }

        return (output, [.. generatorDiagnostics, .. all], null);
    }

    private static async Task RunAsync(Assembly assembly, List<FlowProgram> programs, FuzzStats stats, List<FuzzFailure> failures)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var dsl = builder.Services.AddAgentDsl();
        var addGraph = typeof(AgentDslServiceCollectionExtensions).GetMethod(nameof(AgentDslServiceCollectionExtensions.AddGraph))!;
        var types = programs.ToDictionary(p => p, p => assembly.GetType("Fuzz." + p.ClassName, throwOnError: true)!);
        foreach (var type in types.Values.Append(assembly.GetType("Fuzz.Inner", throwOnError: true)!))
        {
            addGraph.MakeGenericMethod(type).Invoke(null, [dsl]);
        }

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            FuzzOps.TakeLog();
            foreach (var program in programs)
            {
                var type = types[program];
                var runnerType = typeof(IAgentRunner<>).MakeGenericType(type);
                var runner = host.Services.GetRequiredService(runnerType);
                var runUntyped = runnerType.GetMethod(nameof(IAgentRunner<>.RunUntypedAsync), [typeof(object[]), typeof(CancellationToken)])!;
                var flow = type.GetMethod("Run")!;
                stats.Run++;
                foreach (var (q, n, items) in program.Inputs)
                {
                    stats.Requests++;
                    string where = $"inputs (q: {Render(q)}, n: {n}, items: {Render(items)})";
                    var (directOutput, directError) = await CallDirectAsync(type, flow, program.Async, q, n, items);
                    var directCalls = FuzzOps.TakeLog();
                    if (directError is not null)
                    {
                        failures.Add(new FuzzFailure(program.Seed, "the direct call failed (a fuzzer bug)", $"{where}: {directError}", program.Source));
                        break;
                    }

                    string runtimeOutput;
                    using (var cts = new CancellationTokenSource(RunTimeout))
                    {
                        try
                        {
                            var task = (Task<AgentRunResult>)runUntyped.Invoke(runner, [new object?[] { q, n, items }, cts.Token])!;
                            var result = await task.WaitAsync(RunTimeout + TimeSpan.FromSeconds(5));
                            runtimeOutput = Render(result.OutputValue);
                        }
                        catch (Exception ex)
                        {
                            FuzzOps.TakeLog();
                            failures.Add(new FuzzFailure(program.Seed, ex is TimeoutException or OperationCanceledException ? "runtime hang" : "runtime failure", $"{where}: {ex}", program.Source));
                            break;
                        }
                    }

                    var runtimeCalls = FuzzOps.TakeLog();
                    if (directOutput != runtimeOutput || !directCalls.SequenceEqual(runtimeCalls))
                    {
                        failures.Add(new FuzzFailure(
                            program.Seed,
                            "the runtime differs from the direct call",
                            $"{where}: direct returned {directOutput}, the runtime {runtimeOutput}\n" + CallDiff(directCalls, runtimeCalls),
                            program.Source));
                        break;
                    }
                }
            }
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stop.Token);
        }
    }

    private static string CallDiff(string[] direct, string[] runtime)
    {
        var onlyDirect = direct.ToList();
        var onlyRuntime = new List<string>();
        foreach (var call in runtime)
        {
            if (!onlyDirect.Remove(call))
            {
                onlyRuntime.Add(call);
            }
        }

        return $"calls only in the direct run: [{string.Join("; ", onlyDirect)}]\ncalls only through the runtime: [{string.Join("; ", onlyRuntime)}]";
    }

    private static async Task<(string Output, string? Error)> CallDirectAsync(Type type, MethodInfo flow, bool isAsync, string q, int n, string[] items)
    {
        var graph = Activator.CreateInstance(type)!;
        try
        {
            if (!isAsync)
            {
                var call = Task.Run(() => flow.Invoke(graph, [q, n, items]));
                return (Render(await call.WaitAsync(RunTimeout)), null);
            }

            var task = (Task)flow.Invoke(graph, [q, n, items, CancellationToken.None])!;
            await task.WaitAsync(RunTimeout);
            return (flow.ReturnType == typeof(Task) ? Render(null) : Render(flow.ReturnType.GetProperty("Result")!.GetValue(task)), null);
        }
        catch (Exception ex)
        {
            return ("", (ex is TargetInvocationException { InnerException: { } inner } ? inner : ex).ToString());
        }
    }

    /// <summary>A value as the logs and comparisons show it: strings quoted, sequences in brackets.</summary>
    public static string Render(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Render)) + "]",
        _ => value.ToString() ?? "",
    };
}
