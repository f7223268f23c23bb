using System.Text.Json;
using System.Text.RegularExpressions;
using AgentDsl.Ir;
using QuickStart;
using Xunit;

namespace AgentDsl.Tests;

public class GraphExportTests
{
    /// <summary>Every graph of the samples and of this test project.</summary>
    public static TheoryData<string> Graphs => new() { nameof(SupportAgent), nameof(ExportGraph), nameof(IdentityGraph), nameof(BranchingGraph), nameof(MapGraph), nameof(LoopGraph) };

    private static (GraphDefinition Definition, string Mlir) Get(string name) => name switch
    {
        nameof(SupportAgent) => (SupportAgent.Definition, SupportAgent.Mlir),
        nameof(ExportGraph) => (ExportGraph.Definition, ExportGraph.Mlir),
        nameof(IdentityGraph) => (IdentityGraph.Definition, IdentityGraph.Mlir),
        nameof(BranchingGraph) => (BranchingGraph.Definition, BranchingGraph.Mlir),
        nameof(MapGraph) => (MapGraph.Definition, MapGraph.Mlir),
        nameof(LoopGraph) => (LoopGraph.Definition, LoopGraph.Mlir),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Graphs))]
    public void RealMlirOpt_ParsesAndVerifiesTheGeneratedMlir(string graph)
    {
        var (definition, mlir) = Get(graph);
        var (exitCode, output, error) = MlirOpt.Run(mlir);

        Assert.True(exitCode == 0, $"mlir-opt rejected the MLIR of {graph}:\n{error}\n{mlir}");
        foreach (var node in definition.Nodes)
        {
            Assert.Contains(MlirOp(node.Kind), output, StringComparison.Ordinal);
        }

        // Generic form re-printed by mlir-opt has one op per node, plus graph, return and module (and a select for conditional returns).
        var (_, generic, _) = MlirOpt.Run(mlir, "--mlir-print-op-generic");
        int ops = Regex.Matches(generic, "^\\s*(%\\w+ = )?\"[a-z]+\\.[a-z_]+\"\\(", RegexOptions.Multiline).Count;
        Assert.Equal(definition.Nodes.Length + 3 + (definition.Returns.Length > 1 ? 1 : 0), ops);
        Assert.Equal(definition.Nodes.Count(n => n.IsConditional), Regex.Matches(generic, "guards = \\[\"", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void RealMlirOpt_ParsesTheGraphAfterTheDecompositionPass()
    {
        var lowered = AgentDsl.Planning.LlmDecomposition.Apply(SupportAgent.Definition);
        var (exitCode, output, error) = MlirOpt.Run(lowered.ToMlir());
        Assert.True(exitCode == 0, error);
        Assert.Contains("\"llm.prefill\"", output, StringComparison.Ordinal);
        Assert.Contains("\"kv.transfer\"", output, StringComparison.Ordinal);
        Assert.Contains("\"llm.decode\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"llm.generate\"", output, StringComparison.Ordinal);
        Assert.Equal(SupportAgent.Definition.Nodes.Length + 2, lowered.Nodes.Length);
    }

    [Fact]
    public void TrueProbability_BecomesTheGuardsProbabilityHints_InTheIrAndMlir()
    {
        var def = BranchingGraph.Definition;
        var isBig = def.GetNode("IsBig").Id;
        var check = def.GetNode("Check").Id;

        // then-arm of 'if (big)': p = 0.25; the return after it (the else path): 0.75; Check has no hint.
        Assert.Contains(new NodeGuard(isBig, true, 0.25), def.GetNode("Split").Guards);
        Assert.Contains(new NodeGuard(isBig, false, 0.75), def.GetNode("Summarize#2").Guards);
        Assert.Contains(new NodeGuard(check, true), def.GetNode("Split").Guards);

        // The nested ternary on IsBig#2 inherits the operator's hint too.
        var isBig2 = def.GetNode("IsBig#2").Id;
        Assert.Contains(new NodeGuard(isBig2, false, 0.75), def.Returns.SelectMany(r => r.Guards));
        Assert.Contains($"\"n{isBig}@0.25\"", BranchingGraph.Mlir, StringComparison.Ordinal);
        Assert.Contains("p=0.75", def.ToDot(), StringComparison.Ordinal);
    }

    [Fact]
    public void Decomposition_KeepsGuardsAndReturnsOnTheRightNodes()
    {
        var source = BranchingGraph.Definition;
        var lowered = AgentDsl.Planning.LlmDecomposition.Apply(source);

        // Each Summarize call becomes prefill, KV transfer and decode, all under the guards of the call.
        foreach (var original in source.Nodes.Where(n => n.Operator == nameof(BranchingGraph.Summarize)))
        {
            var phases = lowered.Nodes.Where(n => n.Name.StartsWith(original.Name + ".", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, phases.Count);
            Assert.All(phases, p => Assert.Equal(
                original.Guards.Select(g => source.Nodes[g.Node].Name),
                p.Guards.Select(g => lowered.Nodes[g.Node].Name)));
        }

        // Conditional returns now point at the decode nodes.
        Assert.Equal(source.Returns.Length, lowered.Returns.Length);
        Assert.All(lowered.Returns.Where(r => r.Value.Source == ValueSource.Node), r =>
            Assert.Contains(lowered.Nodes[r.Value.Index].Phase, new[] { NodePhase.None, NodePhase.Decode }));
        var (exitCode, _, error) = MlirOpt.Run(lowered.ToMlir());
        Assert.True(exitCode == 0, error);
    }

    [Fact]
    public void RealMlirOpt_RejectsBrokenMlir()
    {
        // The check above could fail: mlir-opt rejects a graph whose operand is undefined.
        var (exitCode, _, error) = MlirOpt.Run(SupportAgent.Mlir.Replace("(%n5, %n4", "(%n99, %n4", StringComparison.Ordinal));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("n99", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void GeneratedMlir_EqualsTheRuntimeExport(string graph)
    {
        var (definition, mlir) = Get(graph);
        Assert.Equal(mlir, definition.ToMlir());
    }

    [Fact]
    public void Mlir_CarriesCostHintsModelAndSourceLocations()
    {
        var (exitCode, output, error) = MlirOpt.Run(ExportGraph.Mlir, "--mlir-print-debuginfo");
        Assert.True(exitCode == 0, error);
        Assert.Contains("flops = 1.000000e+12 : f64", output, StringComparison.Ordinal);
        Assert.Contains("allowed_devices = 3 : i32", output, StringComparison.Ordinal);
        Assert.Contains("precision = \"bf16\"", output, StringComparison.Ordinal);
        Assert.Contains("safe_to_retry", output, StringComparison.Ordinal);
        Assert.Matches("loc\\(\".*SampleGraphs\\.cs\":13:", output);
        Assert.Contains("sla_ms = 4.250000e+01 : f64", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void Json_RoundTripsTheStructure(string graph)
    {
        var (definition, _) = Get(graph);
        using var doc = JsonDocument.Parse(definition.ToJson());
        var root = doc.RootElement;
        Assert.Equal(definition.Name, root.GetProperty("name").GetString());
        Assert.Equal(definition.Nodes.Length, root.GetProperty("nodes").GetArrayLength());
        Assert.Equal(definition.Edges.Length, root.GetProperty("edges").GetArrayLength());
        Assert.Equal(definition.Sla.LatencyMs, root.GetProperty("sla").GetProperty("latencyMs").GetDouble());
        for (int i = 0; i < definition.Nodes.Length; i++)
        {
            var node = root.GetProperty("nodes")[i];
            Assert.Equal(definition.Nodes[i].Name, node.GetProperty("name").GetString());
            Assert.Equal(definition.Nodes[i].Inputs.Count, node.GetProperty("inputs").GetArrayLength());
            Assert.Equal(definition.Nodes[i].Cost.Flops, node.GetProperty("cost").GetProperty("flops").GetDouble());
        }
    }

    [Fact]
    public void Json_KeepsConstantsExactly()
    {
        using var doc = JsonDocument.Parse(ExportGraph.Definition.ToJson());
        var label = doc.RootElement.GetProperty("nodes")[0].GetProperty("inputs")[1];
        Assert.Equal("label", label.GetProperty("parameter").GetString());
        Assert.Equal("\"say \\\"héllo\\\" \\\\ ✓\"", label.GetProperty("constant").GetString());
    }

    [Fact]
    public void Dot_HasEveryNodeAndEdge()
    {
        string dot = SupportAgent.Definition.ToDot();
        Assert.StartsWith("digraph \"SupportAgent\" {", dot, StringComparison.Ordinal);
        foreach (var node in SupportAgent.Definition.Nodes)
        {
            Assert.Contains($"node{node.Id} [shape=box, label=\"{node.Name}\\n", dot, StringComparison.Ordinal);
        }

        foreach (var edge in SupportAgent.Definition.Edges)
        {
            Assert.Contains($"{edge.From} -> node{edge.To} [label=\"{edge.Parameter}\"];", dot, StringComparison.Ordinal);
        }

        Assert.Contains("node6 -> output;", dot, StringComparison.Ordinal);
        Assert.Equal(SupportAgent.Definition.Edges.Length + 1, Regex.Matches(dot, " -> ").Count);
    }

    [Fact]
    public void Dot_EscapesQuotes()
    {
        string dot = ExportGraph.Definition.ToDot();
        Assert.StartsWith("digraph \"exports \\\"quoted\\\"\" {", dot, StringComparison.Ordinal);
    }

    [Fact]
    public void SupportAgent_HasTheExpectedShape()
    {
        var g = SupportAgent.Definition;
        Assert.Equal(["Normalize", "ClassifyIntent", "Redact", "Embed", "Search", "Draft", "Check"], g.Nodes.Select(n => n.Name));
        Assert.Equal([0], g.Roots.ToArray());
        Assert.Equal([1, 2], g.DependentsOf(0).ToArray());                       // two parallel branches after Normalize
        Assert.Equal(3, g.DependencyCountOf(g.GetNode("Draft").Id));   // joins Redact, Search and ClassifyIntent
        Assert.Equal(ValueRef.Node(6), g.Output);
        Assert.Equal("3", g.GetNode("Search").Inputs.Single(i => i.Parameter == "top").ConstantText);
        Assert.Equal(ValueSource.CancellationToken, g.GetNode("Search").Inputs.Single(i => i.Parameter == "ct").Value.Source);
        var model = g.GetNode("Draft").Cost.Model!;
        Assert.Equal((32, 4096, 32, 8, Precision.Fp16), (model.Layers, model.HiddenSize, model.Heads, model.KvHeads, model.Precision));
    }

    private static string MlirOp(OperatorKind kind) => kind switch
    {
        OperatorKind.Compute => "\"agent.compute\"",
        OperatorKind.Tool => "\"tool.invoke\"",
        OperatorKind.Memory => "\"memory.load\"",
        OperatorKind.Model => "\"model.run\"",
        OperatorKind.Llm => "\"llm.generate\"",
        OperatorKind.Kernel => "\"kernel.launch\"",
        _ => "\"agent.call\"",
    };

    [Fact]
    public void Import_OfWrongTypesAndBadNumbers_GivesAGraphDefinitionExceptionNamingTheFile()
    {
        // Found by the JSON fuzzer (tests/AgentDsl.Fuzz.Tests): these threw InvalidOperationException, FormatException or ArgumentException.
        string json = ExportGraph.Definition.ToJson();
        var edits = new (string Field, Action<System.Text.Json.Nodes.JsonObject> Edit)[]
        {
            ("id", g => g["nodes"]![0]!["id"] = "zero"),
            ("name", g => g["nodes"]![0]!["name"] = 5),
            ("inputs", g => g["inputs"] = new System.Text.Json.Nodes.JsonObject()),
            ("cost", g => g["nodes"]![0]!["cost"] = 3),
            ("async", g => g["nodes"]![0]!["async"] = "yes"),
            ("kind", g => g["nodes"]![0]!["kind"] = "7"),
            ("index", g => g["inputs"]![0]!["index"] = 2147483648L),
            ("type", g => g["type"] = new System.Text.Json.Nodes.JsonArray()),
            ("node 99", g => g["nodes"]![0]!["inputs"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["parameter"] = "x", ["type"] = "string", ["from"] = "node99" })),
        };
        foreach (var (field, edit) in edits)
        {
            var graph = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
            edit(graph);
            var error = Assert.Throws<GraphDefinitionException>(() => GraphImport.FromJson(graph.ToJsonString(), "edited.json"));
            Assert.Equal("edited.json", error.Graph);
            Assert.Contains(field, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal("edited.json", Assert.Throws<GraphDefinitionException>(() => GraphImport.FromJson(json.Replace("\"latencyMs\":", "\"latencyMs\":1e400,\"x\":", StringComparison.Ordinal), "edited.json")).Graph);
        Assert.Equal("edited.json", Assert.Throws<GraphDefinitionException>(() => GraphImport.FromJson("{\"name\": \"\ud800\"}", "edited.json")).Graph);
    }
}
