using System.Reflection;
using AgentDsl.Ir;
using AgentDsl.Planning;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Analyzers.Tests;

/// <summary>
/// One place for the cost compositions: for every catalog device and every node of the QuickStart graph, the figures
/// the placement analyzer checks with (work, precision, footprint, roofline time, break-even against the host CPU) equal
/// the planner's (<see cref="LlmDecomposition.CostAsOneNode"/>, <see cref="CostModel"/>).
/// </summary>
public class CostAgreementTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    [Fact]
    public void QuickStart_OnEveryCatalogDevice_TheAnalyzerUsesThePlannersFigures()
    {
        var sources = new[] { "SupportAgent.cs", "Model.cs", "TextOps.cs", "PassageIndex.cs" }
            .Select(f => (Path: f, Source: File.ReadAllText(Path.Combine(RepoRoot, "samples", "QuickStart", f))))
            .Append(("Usings.cs", // the sample's implicit usings; what remains unresolved (hosting, generated regexes, kernels) is outside the graph
                "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;"))
            .ToArray();
        var compilation = Compilations.Create(sources);
        var rows = AnalyzerFigures(compilation, "QuickStart.SupportAgent");
        var graph = LlmDecomposition.CostAsOneNode(QuickStart.SupportAgent.Definition).Graph;
        Compare(graph, rows);
        Assert.Contains(rows, r => r.Node == "Draft" && r.Bytes > 1e11); // the LLM node is costed from its model on both sides
    }

    [Fact]
    public void LlmWithoutTokenCounts_TheAnalyzerUsesThePlannersDefaults()
    {
        // Before: the analyzer costed an LLM that states no token counts with 0 prompt and 0 output tokens, the planner with 512 and 128.
        var rows = AnalyzerFigures(Compilations.Create("""
            using AgentDsl;

            [AgentGraph]
            public partial class Bare
            {
                [Flow]
                public string Run(string q) => Chat(q);

                [Operator(OperatorKind.Llm, Model = "llama-3-8b", Layers = 32, HiddenSize = 4096, Heads = 32, KvHeads = 8)]
                public string Chat(string s) => s;
            }
            """), "Bare");
        var model = new ModelDescription { Name = "llama-3-8b", Layers = 32, HiddenSize = 4096, Heads = 32, KvHeads = 8 };
        var node = QuickStart.SupportAgent.Definition.Nodes.Single(n => n.Name == "Draft") with // an LLM node (the kind's name is ambiguous here)
        {
            Id = 0, Name = "Chat", Operator = "Chat", ResultType = "string", IsAsync = false, Guards = [], FanOut = null,
            Inputs = [new NodeInput("s", "string", ValueRef.Input(0))],
            Cost = new CostHints { Model = model },
        };
        var graph = new GraphDefinition("Bare", "Bare", "Run", new SlaSpec(0, 0.99), [new GraphInput(0, "q", "string")], [node], ValueRef.Node(0), "string");
        Compare(LlmDecomposition.CostAsOneNode(graph).Graph, rows);
        Assert.True(rows[0].Flops >= 2 * 12.0 * 32 * 4096 * 4096 * (512 + 128) * 0.999, $"{rows[0].Flops} FLOPs");
    }

    private static void Compare(GraphDefinition graph, List<(string Node, string Device, double Flops, double Bytes, int Precision, double Footprint, double Seconds, double BreakEven)> rows)
    {
        var model = new CostModel();
        var host = HardwareCatalog.Default["EPYC-9654"];
        Assert.Equal(string.Join(", ", graph.Nodes.Select(n => n.Name)), string.Join(", ", rows.Select(r => r.Node).Distinct()));
        Assert.Equal(graph.Nodes.Length * HardwareCatalog.Default.Devices.Count, rows.Count);
        foreach (var row in rows)
        {
            var node = graph.Nodes.Single(n => n.Name == row.Node);
            var device = HardwareCatalog.Default[row.Device];
            string where = $"{row.Node} on {row.Device}";
            Assert.True(node.Cost.Flops == row.Flops, $"{where}: FLOPs, planner {node.Cost.Flops}, analyzer {row.Flops}");
            Assert.True(node.Cost.BytesMoved == row.Bytes, $"{where}: bytes, planner {node.Cost.BytesMoved}, analyzer {row.Bytes}");
            Assert.True(node.Cost.MemoryFootprintBytes == row.Footprint, $"{where}: footprint, planner {node.Cost.MemoryFootprintBytes}, analyzer {row.Footprint}");
            Assert.True((int)CostModel.PrecisionOf(node) == row.Precision, $"{where}: precision, planner {CostModel.PrecisionOf(node)}, analyzer {row.Precision}");
            Assert.True(model.RooflineSeconds(node, device) == row.Seconds, $"{where}: seconds, planner {model.RooflineSeconds(node, device)}, analyzer {row.Seconds}");
            if (!double.IsNaN(row.BreakEven))
            {
                double planner = model.BreakEvenBytes(node, host, device);
                Assert.True(planner.Equals(row.BreakEven), $"{where}: break-even, planner {planner}, analyzer {row.BreakEven}");
            }
        }
    }

    /// <summary>The figures the placement analyzer checks with, from its own lowering of the source (PlacementAnalyzer.Figures).</summary>
    private static List<(string Node, string Device, double Flops, double Bytes, int Precision, double Footprint, double Seconds, double BreakEven)> AnalyzerFigures(CSharpCompilation compilation, string type)
    {
        var figures = typeof(PlacementAnalyzer).GetMethod("Figures", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("PlacementAnalyzer.Figures is missing");
        return (List<(string, string, double, double, int, double, double, double)>)figures.Invoke(null, [compilation, type])!;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentDsl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AgentDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
