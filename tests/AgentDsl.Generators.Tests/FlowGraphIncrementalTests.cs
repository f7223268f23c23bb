using AgentDsl.Generators.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Generators.Tests;

/// <summary>Pairs of compilations with the expected run reason per named step (after LoggerMessage, Regex, ComputeSharp).</summary>
public class FlowGraphIncrementalTests
{
    private const string Agent = /* lang=c# */ """
        using System.Threading;
        using System.Threading.Tasks;
        using AgentDsl;

        namespace App;

        [AgentGraph(LatencySlaMs = 100)]
        public partial class Agent
        {
            [Flow]
            public async Task<string> Run(string q, CancellationToken ct)
            {
                var a = Clean(q);
                return await Ask(a, ct);
            }

            [Operator(OperatorKind.Compute, Flops = 100)]
            public string Clean(string s) => s.Trim();

            [Operator(OperatorKind.Tool)]
            public Task<string> Ask(string s, CancellationToken ct) => Task.FromResult(s);

            public int NotAnOperator() => 1;
        }
        """;

    private const string Helper = /* lang=c# */ """
        namespace App;

        public static class Helper
        {
            public static int Value() => 1;
        }
        """;

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = Compilations.Create(("Agent.cs", Agent), ("Helper.cs", Helper));
        var result = GeneratorHarness.Run(compilation);
        return (result.Driver, compilation);
    }

    private static GeneratorRunResult Rerun(GeneratorDriver driver, Compilation compilation) =>
        driver.RunGenerators(compilation).GetRunResult().Results.Single();

    private static Compilation ReplaceTree(Compilation compilation, string path, string source)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, Compilations.ParseOptions, path));
    }

    private static void AssertOutputsCached(GeneratorRunResult run)
    {
        foreach (var step in run.TrackedOutputSteps.SelectMany(s => s.Value))
        {
            Assert.All(step.Outputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }
    }

    [Fact]
    public void NewUnrelatedFile_LeavesEveryStepCached()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App; public class Unrelated { }", Compilations.ParseOptions, "Unrelated.cs"));
        var run = Rerun(driver, edited);

        // Roslyn re-runs a ForAttributeWithMetadataName transform when the compilation changes; an equal result is Unchanged.
        Assert.All(GeneratorHarness.Reasons(run, TrackingNames.Transform), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(GeneratorHarness.Reasons(run, TrackingNames.Output), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        AssertOutputsCached(run);
    }

    [Fact]
    public void EditInAnotherFile_LeavesEveryStepCached()
    {
        var (driver, compilation) = FirstRun();
        var edited = ReplaceTree(compilation, "Helper.cs", Helper.Replace("=> 1;", "=> 2; // changed"));
        var run = Rerun(driver, edited);

        // Roslyn re-runs a ForAttributeWithMetadataName transform when the compilation changes; an equal result is Unchanged.
        Assert.All(GeneratorHarness.Reasons(run, TrackingNames.Transform), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        AssertOutputsCached(run);
    }

    [Fact]
    public void EditToANonOperatorMethodBody_IsUnchanged()
    {
        var (driver, compilation) = FirstRun();
        var edited = ReplaceTree(compilation, "Agent.cs", Agent.Replace("public int NotAnOperator() => 1;", "public int NotAnOperator() => 2;"));
        var run = Rerun(driver, edited);

        Assert.All(GeneratorHarness.Reasons(run, TrackingNames.Transform), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        Assert.All(GeneratorHarness.Reasons(run, TrackingNames.Output), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        AssertOutputsCached(run);
    }

    [Fact]
    public void CommentAtTheEndOfTheGraphFile_IsUnchanged()
    {
        var (driver, compilation) = FirstRun();
        var edited = ReplaceTree(compilation, "Agent.cs", Agent + "\n// a trailing comment\n");
        var run = Rerun(driver, edited);

        Assert.All(GeneratorHarness.Reasons(run, TrackingNames.Transform), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        AssertOutputsCached(run);
    }

    [Fact]
    public void EditToAnOperatorAttribute_IsModified()
    {
        var (driver, compilation) = FirstRun();
        var edited = ReplaceTree(compilation, "Agent.cs", Agent.Replace("Flops = 100", "Flops = 200"));
        var run = Rerun(driver, edited);

        Assert.Contains(IncrementalStepRunReason.Modified, GeneratorHarness.Reasons(run, TrackingNames.Transform));
        Assert.Contains(IncrementalStepRunReason.Modified, GeneratorHarness.Reasons(run, TrackingNames.Output));
        Assert.Contains("Flops = 200", run.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NewGraphClass_IsNew_AndTheOtherIsUntouched()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
            using AgentDsl;
            namespace App;
            [AgentGraph] public partial class Second
            {
                [Flow] public int Run(int x) => Inc(x);
                [Operator] public int Inc(int x) => x + 1;
            }
            """, Compilations.ParseOptions, "Second.cs"));
        var run = Rerun(driver, edited);

        var reasons = GeneratorHarness.Reasons(run, TrackingNames.Transform);
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.New));
        Assert.Equal(1, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        Assert.Equal(2, run.GeneratedSources.Length);
    }

    [Fact]
    public void Models_AreEqualButNotSame_AcrossCompilations()
    {
        var first = GeneratorHarness.Run(Compilations.Create(("Agent.cs", Agent))).Run;
        var second = GeneratorHarness.Run(Compilations.Create(("Agent.cs", Agent))).Run;
        object a = first.TrackedSteps[TrackingNames.Output].Single().Outputs.Single().Value;
        object b = second.TrackedSteps[TrackingNames.Output].Single().Outputs.Single().Value;
        Assert.Equal(a, b);
        Assert.NotSame(a, b);
    }

    [Fact]
    public void OutputOrder_IsStable()
    {
        static string Graph(string name) => $$"""
            using AgentDsl;
            namespace App;
            [AgentGraph] public partial class {{name}}
            {
                [Flow] public int Run(int x) => Inc(x);
                [Operator] public int Inc(int x) => x + 1;
            }
            """;
        var forward = GeneratorHarness.Run(Compilations.Create(("A.cs", Graph("Alpha")), ("B.cs", Graph("Beta")))).Run;
        var again = GeneratorHarness.Run(Compilations.Create(("A.cs", Graph("Alpha")), ("B.cs", Graph("Beta")))).Run;
        Assert.Equal(forward.GeneratedSources.Select(s => s.HintName), again.GeneratedSources.Select(s => s.HintName));
        Assert.Equal(["App.Alpha.AgentGraph.g.cs", "App.Beta.AgentGraph.g.cs"], forward.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Generator_DoesNotKeepCompilationsAlive()
    {
        var driver = GeneratorHarness.CreateDriver();
        var references = new List<WeakReference>();
        for (int i = 0; i < 4; i++)
        {
            (driver, var weak) = RunAndForget(driver, i);
            references.Add(weak);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // The driver keeps the latest compilation's state; the earlier ones must be collectable.
        Assert.All(references.Take(references.Count - 1), r => Assert.False(r.IsAlive, "A compilation from an earlier run is still alive."));
        GC.KeepAlive(driver);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (GeneratorDriver, WeakReference) RunAndForget(GeneratorDriver driver, int i)
    {
        var compilation = Compilations.Create(("Agent.cs", Agent.Replace("Flops = 100", "Flops = " + (100 + i))));
        driver = driver.RunGenerators(compilation);
        return (driver, new WeakReference(compilation));
    }
}
