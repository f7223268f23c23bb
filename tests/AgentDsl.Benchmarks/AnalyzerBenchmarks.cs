extern alias analyzers;
extern alias generators;

#pragma warning disable RS1036, RS1041, RS2008 // a measuring stick analyzer, never shipped

using System.Collections.Immutable;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AgentDsl.Benchmarks;

/// <summary>
/// What AgentDsl adds to a build of a project with 1,000 operators (one graph whose flow calls them all, with a
/// hardware profile): the analyzers (declaration, flow, placement) and the generator, against the compiler's own
/// diagnostics of the same compilation. Each invocation uses a fresh clone, so nothing is cached between runs.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20)]
public class AnalyzerBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private AnalyzerOptions _options = null!;

    [Params(1000)]
    public int Operators { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder("using AgentDsl;\n[AgentGraph(LatencySlaMs = 100000)]\npublic partial class Big\n{\n    [Flow]\n    public float Run(float x)\n    {\n        var v0 = Op0(x);\n");
        for (int i = 1; i < Operators; i++)
        {
            sb.Append("        var v").Append(i).Append(" = Op").Append(i).Append("(v").Append(i - 1).Append(");\n");
        }

        sb.Append("        return v").Append(Operators - 1).Append(";\n    }\n");
        for (int i = 0; i < Operators; i++)
        {
            sb.Append("    [Operator(OperatorKind.Model, Flops = 1e9, BytesMoved = 1e7)] public float Op").Append(i).Append("(float x) => x + 1;\n");
        }

        sb.Append("}\n");
        _compilation = CSharpCompilation.Create(
            "Big",
            [CSharpSyntaxTree.ParseText(sb.ToString(), new CSharpParseOptions(LanguageVersion.Latest), "Big.cs")],
            [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(AgentDsl.AgentGraphAttribute).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _options = new AnalyzerOptions([new Profile("agentdsl.hardware.json", """{ "devices": [ { "catalog": "EPYC-9654" }, { "catalog": "H100-SXM", "count": 4 } ] }""")]);
        if (Analyzers() != 0)
        {
            throw new InvalidOperationException("The generated project should have no AgentDsl diagnostics.");
        }
    }

    [Benchmark(Baseline = true, Description = "compiler diagnostics (baseline)")]
    public int Compiler() => _compilation.Clone().GetDiagnostics().Length;

    [Benchmark(Description = "compiler + an empty analyzer (driver cost)")]
    public int Empty() => WithAnalyzers(new EmptyAnalyzer());

    [Benchmark(Description = "compiler + AgentDsl analyzers")]
    public int Analyzers() => WithAnalyzers(
        new analyzers::AgentDsl.Analyzers.GraphDeclarationAnalyzer(),
        new analyzers::AgentDsl.Analyzers.FlowAnalyzer(),
        new analyzers::AgentDsl.Analyzers.SharedMutableValueAnalyzer(),
        new analyzers::AgentDsl.Analyzers.PlacementAnalyzer());

    [Benchmark(Description = "compiler + declaration analyzer")]
    public int Declaration() => WithAnalyzers(new analyzers::AgentDsl.Analyzers.GraphDeclarationAnalyzer());

    [Benchmark(Description = "compiler + flow analyzer")]
    public int Flow() => WithAnalyzers(new analyzers::AgentDsl.Analyzers.FlowAnalyzer());

    [Benchmark(Description = "compiler + shared mutable value analyzer")]
    public int SharedMutable() => WithAnalyzers(new analyzers::AgentDsl.Analyzers.SharedMutableValueAnalyzer());

    [Benchmark(Description = "compiler + placement analyzer")]
    public int Placement() => WithAnalyzers(new analyzers::AgentDsl.Analyzers.PlacementAnalyzer());

    private int WithAnalyzers(params DiagnosticAnalyzer[] analyzers) =>
        _compilation.Clone().WithAnalyzers([.. analyzers], _options).GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Count(d => d.Id.StartsWith("ADSL", StringComparison.Ordinal));

    [Benchmark(Description = "AgentDsl generators")]
    public int Generators()
    {
        CSharpGeneratorDriver.Create(new generators::AgentDsl.Generators.FlowGraphGenerator(), new generators::AgentDsl.Generators.KernelGenerator())
            .RunGeneratorsAndUpdateCompilation(_compilation.Clone(), out var output, out var diagnostics);
        return output.SyntaxTrees.Count() + diagnostics.Length;
    }

    /// <summary>Registers one symbol action that does nothing: what running any analyzer at all costs.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class EmptyAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("EMPTY0001", "Empty", "Empty", "Test", DiagnosticSeverity.Hidden, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(_ => { }, SymbolKind.Method);
        }
    }

    private sealed class Profile(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
