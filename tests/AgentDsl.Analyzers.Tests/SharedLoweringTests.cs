using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Analyzers.Tests;

/// <summary>The analyzers that read a lowered graph share one lowering of it per compilation (GraphLowerings).</summary>
public class SharedLoweringTests
{
    [Fact]
    public async Task FlowAndPlacementAnalyzers_LowerEachGraphOnce_AndBothReport()
    {
        var compilation = Compilations.Create("""
            using AgentDsl;

            [AgentGraph]
            public partial class SharedLoweringAgent
            {
                [Flow]
                public string Run(string q) => Big(q);

                [Operator(MemoryFootprintBytes = 200e9, AllowedDevices = DeviceKinds.Gpu)] public string Big(string s) => s;
                [Operator] public string Unused(string s) => s;
            }
            """);
        var profile = new Text("agentdsl.hardware.json", """{ "devices": [ { "catalog": "EPYC-9654" }, { "catalog": "H100-SXM", "count": 2 } ] }""");
        var lowerings = new ConcurrentQueue<string>();
        var hook = typeof(FlowAnalyzer).Assembly.GetType("AgentDsl.Generators.Flow.FlowLowerer")!
            .GetField("Lowering", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("FlowLowerer.Lowering is missing");
        hook.SetValue(null, (Action<INamedTypeSymbol>)(type => lowerings.Enqueue(type.Name)));
        ImmutableArray<Diagnostic> diagnostics;
        try
        {
            diagnostics = await compilation
                .WithAnalyzers([new FlowAnalyzer(), new PlacementAnalyzer(), new SharedMutableValueAnalyzer(), new GraphDeclarationAnalyzer()], new AnalyzerOptions([profile]))
                .GetAnalyzerDiagnosticsAsync();
        }
        finally
        {
            hook.SetValue(null, null);
        }

        // Other tests may lower their own graphs meanwhile: count this one's.
        Assert.Single(lowerings, name => name == "SharedLoweringAgent");
        Assert.Contains(diagnostics, d => d.Id == "ADSL0006"); // FlowAnalyzer: Unused is never called.
        Assert.Contains(diagnostics, d => d.Id == "ADSL0200"); // PlacementAnalyzer: Big fits no GPU.
    }

    private sealed class Text(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
