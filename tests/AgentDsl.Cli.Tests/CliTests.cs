using AgentDsl.Cli;
using AgentDsl.Ir;
using Xunit;

namespace AgentDsl.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "agentdsl-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Out, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await AgentDslCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string QuickStartAssembly => Path.Combine(AppContext.BaseDirectory, "QuickStart.dll");

    private string File(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Ir_FromABuiltAssembly_PrintsMlirJsonAndDot()
    {
        var (code, mlir, _) = await Run("ir", "--graph", QuickStartAssembly);
        Assert.Equal(0, code);
        Assert.Equal(QuickStart.SupportAgent.Mlir, mlir);

        var (_, json, _) = await Run("ir", "--graph", QuickStartAssembly, "--format", "json");
        Assert.Equal(QuickStart.SupportAgent.Definition.ToJson(), json);
        var (_, dot, _) = await Run("ir", "--graph", QuickStartAssembly, "--format", "dot");
        Assert.StartsWith("digraph", dot, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ir_Decompose_LowersTheLlmOperator_AndJsonRoundTrips()
    {
        string jsonFile = Path.Combine(_dir, "graph.json");
        Assert.Equal(0, (await Run("ir", "--graph", QuickStartAssembly, "--format", "json", "--out", jsonFile)).Code);
        var reloaded = GraphImport.FromJson(System.IO.File.ReadAllText(jsonFile), jsonFile);
        Assert.Equal(QuickStart.SupportAgent.Definition.ToJson(), reloaded.ToJson());

        var (code, mlir, _) = await Run("ir", "--graph", jsonFile, "--decompose");
        Assert.Equal(0, code);
        Assert.Contains("\"llm.prefill\"", mlir, StringComparison.Ordinal);
        Assert.Contains("\"kv.transfer\"", mlir, StringComparison.Ordinal);
        Assert.Contains("\"llm.decode\"", mlir, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_PrintsPlacementLatencyFleetsAndCost()
    {
        string profile = File("hw.json", """{ "devices": [ { "catalog": "EPYC-9654", "count": 1, "hourlyUsd": 1.5 }, { "catalog": "A100-80GB", "count": 1 }, { "catalog": "H100-SXM", "count": 2 } ], "pricing": "Rental" }""");
        var (code, output, error) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile, "--rate", "20", "--decompose", "--sla-ms", "2000");
        Assert.True(code == 0, output + error);
        Assert.Contains("Graph SupportAgent: 9 nodes on 4 devices", output, StringComparison.Ordinal);
        Assert.Contains("Draft.prefill", output, StringComparison.Ordinal);
        Assert.Contains("Draft.decode", output, StringComparison.Ordinal);
        Assert.Matches(@"latency [0-9.]+ ms along .*Draft\.decode", output);
        Assert.Contains("Fleets for 20 requests/s (pricing: Rental)", output, StringComparison.Ordinal);
        Assert.Matches(@"heterogeneous +.*\$ *[0-9.]+/h +\$[0-9.]+/request +p50 [0-9.]+ ms +p99 [0-9.]+ ms", output);
        Assert.Contains("H100-SXM only", output, StringComparison.Ordinal);
        Assert.Contains("cheapest:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithoutDecompose_CostsTheLlmNodeFromItsModel_OnTheCpu()
    {
        // Issue 13, point 5: the QuickStart's 8B Draft used to "run" on the CPU in 1 µs. From its model description it is
        // prefill (2 · 8.03e9 · 512 FLOPs) and 32 decode steps each reading 16 GB of weights: seconds on one socket.
        string profile = File("cpu.json", """{ "devices": [ { "catalog": "EPYC-9654", "count": 1, "hourlyUsd": 1.5 } ], "pricing": "Rental" }""");
        var (code, output, error) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile, "--sla-ms", "100000");
        Assert.True(code == 0, output + error);
        Assert.Contains("LLM nodes costed as one node from their model description (prefill and decode work together; --decompose splits them): Draft", output, StringComparison.Ordinal);
        var draft = System.Text.RegularExpressions.Regex.Match(output, @"\n +Draft +EPYC-9654#0 +[0-9.]+ +([0-9.]+)\r?\n");
        Assert.True(draft.Success, output);
        double ms = double.Parse(draft.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ms > 1000, $"Draft takes {ms} ms on the CPU");
        Assert.Equal("", error); // every QuickStart node has cost hints

        var (code2, split, _) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile, "--sla-ms", "100000", "--decompose");
        Assert.Equal(0, code2);
        Assert.Contains("LLM nodes decomposed into prefill → KV transfer → decode (--decompose): Draft", split, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_NodeWithoutCostHints_IsWarnedAboutInOneLineNamingIt()
    {
        var graph = new GraphDefinition("g", "G", "Run", new SlaSpec(1000, 0.99), [new GraphInput(0, "x", "string")],
            [
                new NodeDefinition(0, "Known", "Known", OperatorKind.Compute, "string", false, [new NodeInput("x", "string", ValueRef.Input(0))]) { Cost = new CostHints { Flops = 1e6 } },
                new NodeDefinition(1, "Mystery", "Mystery", OperatorKind.Compute, "string", false, [new NodeInput("x", "string", ValueRef.Node(0))]),
            ],
            ValueRef.Node(1), "string");
        string json = File("g.json", graph.ToJson());
        string profile = File("cpu.json", """{ "devices": [ { "catalog": "EPYC-9654", "count": 1, "hourlyUsd": 1.5 } ], "pricing": "Rental" }""");
        var (code, output, error) = await Run("plan", "--graph", json, "--profile", profile);
        Assert.True(code == 0, output + error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("agentdsl: warning: node 'Mystery' (operator Mystery) has no cost hints", error, StringComparison.Ordinal);
    }

    private static string WorkedExample(string file) => Path.Combine(AppContext.BaseDirectory, "WorkedExample", file);

    [Fact]
    public async Task Plan_ObjectiveCost_PrintsThePapersWorkedExample()
    {
        // Issue 13, point 8: the paper's worked example (HP prefill + CO decode, 120 ms, $0.095) from the command line,
        // with the files in samples/WorkedExample; the default objective prints the fastest plan (HP + HP, 105 ms, $0.11).
        string[] args = ["plan", "--graph", WorkedExample("graph.json"), "--profile", WorkedExample("profile.json"), "--costs", WorkedExample("costs.json")];
        var (code, output, error) = await Run([.. args, "--objective", "cost"]);
        Assert.True(code == 0, output + error);
        Assert.Contains("Objective: cost, the cheapest placement within the SLA of 120 ms (every placement tried).", output, StringComparison.Ordinal);
        Assert.Matches(@"\n +prefill +HP#0 +0 +80\r?\n +decode +CO#0 +90 +30\r?\n", output);
        Assert.Contains("latency 120 ms along prefill → decode", output, StringComparison.Ordinal);
        Assert.Contains("cost $0.095 per request", output, StringComparison.Ordinal);
        Assert.Matches(@"HP \+ HP +105 ms +\$0\.11\r?\n", output);
        Assert.Matches(@"HP \+ CO +120 ms +\$0\.095 +chosen", output);
        Assert.Matches(@"CO \+ CO +160 ms +\$0\.06 +over the SLA", output);
        Assert.Equal("", error);

        var (code2, fastest, _) = await Run(args);
        Assert.Equal(0, code2);
        Assert.Contains("Objective: latency, the fastest placement (HEFT).", fastest, StringComparison.Ordinal);
        Assert.Matches(@"\n +decode +HP#0 +80 +25\r?\n", fastest);
        Assert.Contains("latency 105 ms", fastest, StringComparison.Ordinal);
        Assert.Contains("cost $0.11 per request", fastest, StringComparison.Ordinal);

        var (code3, _, bad) = await Run([.. args, "--objective", "speed"]);
        Assert.Equal(1, code3);
        Assert.Contains("speed", bad, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_ObjectiveCost_OnTheRooflineModel_IsNoDearerThanTheFastestPlan()
    {
        string profile = File("hw.json", """{ "devices": [ { "catalog": "EPYC-9654", "count": 1, "hourlyUsd": 1.5 }, { "catalog": "H100-SXM", "count": 1, "hourlyUsd": 3 } ], "pricing": "Rental" }""");
        static double Cost(string output) => double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"cost \$([0-9.]+) per request").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var (code, fastest, error) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile, "--sla-ms", "100000");
        Assert.True(code == 0, fastest + error);
        var (code2, cheapest, error2) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile, "--sla-ms", "100000", "--objective", "cost");
        Assert.True(code2 == 0, cheapest + error2);
        Assert.True(Cost(cheapest) <= Cost(fastest), $"cheapest ${Cost(cheapest)} vs fastest ${Cost(fastest)}");
        Assert.Contains("Objective: cost, the cheapest placement within the SLA of 100000 ms", cheapest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_CostTableWithoutARowForANode_IsOneLineNamingIt()
    {
        string costs = File("costs.json", """{ "nodes": [ { "node": "prefill", "device": "HP", "ms": 80, "usd": 0.08 } ] }""");
        var (code, output, error) = await Run("plan", "--graph", WorkedExample("graph.json"), "--profile", WorkedExample("profile.json"), "--costs", costs);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("has no row for node 'decode'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_Fleets_RunParallelBranchesOnTheProfilesSockets_AsThePerRequestPlanDoes()
    {
        // Issue 13, point 6: four 20 s branches on a 4-socket profile take 20 s per request, in the plan and in the fleets.
        double twentySeconds = AgentDsl.Planning.Catalog.HardwareCatalog.Default["EPYC-9654"].PeakFlops(Precision.Fp32) * 20;
        NodeDefinition Op(int id, string name, double flops, params int[] from) =>
            new(id, name, name, OperatorKind.Compute, "string", false, [.. from.Select((f, i) => new NodeInput("p" + i, "string", f < 0 ? ValueRef.Input(0) : ValueRef.Node(f)))])
            {
                Cost = new CostHints { Flops = flops, BytesMoved = 1e3 },
            };
        var graph = new GraphDefinition("branches", "Branches", "Run", new SlaSpec(30_000, 0.99), [new GraphInput(0, "x", "string")],
            [Op(0, "split", 1e3, -1), Op(1, "a", twentySeconds, 0), Op(2, "b", twentySeconds, 0), Op(3, "c", twentySeconds, 0), Op(4, "d", twentySeconds, 0), Op(5, "join", 1e3, 1, 2, 3, 4)],
            ValueRef.Node(5), "string");
        string json = File("branches.json", graph.ToJson());
        string profile = File("sockets.json", """{ "devices": [ { "catalog": "EPYC-9654", "count": 4, "hourlyUsd": 1.5 } ], "pricing": "Rental" }""");
        var (code, output, error) = await Run("plan", "--graph", json, "--profile", profile, "--rate", "0.01");
        Assert.True(code == 0, output + error);
        Assert.Matches(@"latency 2000[0-9.]* ms", output);
        Assert.Matches(@"heterogeneous +4× EPYC-9654 +\$ +6/h .* p50 2000[0-9.]* ms", output);
        Assert.Matches(@"EPYC-9654 only +4× EPYC-9654 +\$ +6/h .* p50 2000[0-9.]* ms", output);
    }

    [Theory]
    [InlineData("{ \"nodes\": [ { \"node\": \"prefill\", \"device\": \"HP\", \"ms\": -1, \"usd\": 0.08 } ] }", "field 'nodes[0].ms': required: a non-negative number")]
    [InlineData("{ \"nodes\": [ { \"device\": \"HP\", \"ms\": 1, \"usd\": 0.08 } ] }", "field 'nodes[0].node'")]
    [InlineData("{ \"rows\": [] }", "field 'nodes'")]
    [InlineData("{ \"nodes\": [ \n", "costs.json(")]
    public async Task Plan_BadCostTable_IsOneLineNamingTheRowAndField(string json, string expected)
    {
        string costs = File("costs.json", json);
        var (code, output, error) = await Run("plan", "--graph", WorkedExample("graph.json"), "--profile", WorkedExample("profile.json"), "--costs", costs);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_Infeasible_ExitsTwoNamingTheConstraint()
    {
        string profile = File("small.json", """{ "devices": [ { "catalog": "L4", "count": 1, "hourlyUsd": 0.8 } ] }""");
        var (code, output, _) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile, "--sla-ms", "0.001");
        Assert.Equal(2, code);
        Assert.Contains("Infeasible (sla):", output, StringComparison.Ordinal);
        Assert.Contains("lower bound", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--sla-ms", "-5")]
    [InlineData("--sla-ms", "0")]
    [InlineData("--sla-ms", "NaN")]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "-1")]
    [InlineData("--rate", "NaN")]
    [InlineData("--percentile", "0")]
    [InlineData("--percentile", "-1")]
    [InlineData("--percentile", "100.5")]
    [InlineData("--percentile", "NaN")]
    public async Task Plan_BadNumber_IsRejectedUpFront_InOneLineNamingTheOptionAndValue(string option, string value)
    {
        string profile = File("hw.json", """{ "devices": [ { "catalog": "EPYC-9654", "count": 1, "hourlyUsd": 1.5 }, { "catalog": "H100-SXM", "count": 1 } ], "pricing": "Rental" }""");
        foreach (var args in new[] { new[] { option, value }, new[] { $"{option}={value}" } })
        {
            var (code, output, error) = await Run(["plan", "--graph", QuickStartAssembly, "--profile", profile, .. args]);
            Assert.True(code == 1, $"exit {code}: {output}{error}");
            Assert.Equal("", output);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.StartsWith($"agentdsl: {option} must be ", error, StringComparison.Ordinal);
            Assert.Contains($"got {value}.", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Plan_Percentile_SetsTheFleetsTailColumn()
    {
        string profile = File("hw.json", """{ "devices": [ { "catalog": "EPYC-9654", "count": 1, "hourlyUsd": 1.5 }, { "catalog": "H100-SXM", "count": 1 } ], "pricing": "Rental" }""");
        var (code, output, error) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile, "--decompose", "--sla-ms", "2000", "--percentile", "99.9");
        Assert.True(code == 0, output + error);
        Assert.Matches(@"p50 [0-9.]+ ms +p99\.9 [0-9.]+ ms", output);
    }

    [Theory]
    [InlineData("{ \"devices\": [ { \"catalog\": \"H9000\" } ] }", "no catalog device 'H9000'")]
    [InlineData("{ \"devices\": [ { \"catalog\": \"H100-SXM\", \"count\": 0 } ] }", "field 'count'")]
    [InlineData("{ \"devices\": [ \n  { \"catalog\": \"H100-SXM\" \n ", "bad.json(")]
    [InlineData("{ \"devices\": [ { \"catalog\": \"L4\" } ] }", "Device 'L4' has no 'priceUsd'")]
    public async Task BadProfile_IsOneLineWithTheFileAndAnExitCode(string json, string expected)
    {
        string profile = File("bad.json", json);
        var (code, output, error) = await Run("plan", "--graph", QuickStartAssembly, "--profile", profile);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("agentdsl: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingGraph_IsOneClearLine()
    {
        var (code, _, error) = await Run("ir", "--graph", Path.Combine(_dir, "nope.dll"));
        Assert.Equal(1, code);
        Assert.Contains("No such graph file", error, StringComparison.Ordinal);
        var (code2, _, error2) = await Run("plan", "--graph", QuickStartAssembly);
        Assert.Equal(1, code2);
        Assert.Contains("--profile", error2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tco_WritesTheTableTheCsvAndTheCharts()
    {
        var (code, output, error) = await Run("tco", "--out", _dir);
        Assert.True(code == 0, error);
        Assert.Contains("Datasheet figures, FirstPrinciples prices:", output, StringComparison.Ordinal);
        Assert.Contains("Running", output, StringComparison.Ordinal); // progress
        string[] csv = System.IO.File.ReadAllLines(Path.Combine(_dir, "tco.csv"));
        Assert.Equal(1 + (2 * 3 * 16 * 36), csv.Length);                 // 2 device readings × 3 price readings
        Assert.Contains(csv, l => l.StartsWith("Datasheet,FirstPrinciples,Llama-3-8B,Fp16,reasoning,Interactive,H100-SXM,H100-SXM,True,", StringComparison.Ordinal) && l.Contains(",1.0000,", StringComparison.Ordinal));
        Assert.Contains(csv, l => l.StartsWith("PaperTable,FinancedPlusOperatingCost,Llama-3-70B,Fp8,summarisation,Offline,H100-SXM,H100-SXM,True,", StringComparison.Ordinal));
        string md = System.IO.File.ReadAllText(Path.Combine(_dir, "tco.md"));
        Assert.Contains("## Winners", md, StringComparison.Ordinal);
        Assert.Contains("| configuration | Datasheet / FirstPrinciples | Datasheet / PaperOperatingCost | Datasheet / FinancedPlusOperatingCost | PaperTable / FirstPrinciples |", md, StringComparison.Ordinal);
        Assert.Contains("| H100-SXM | 25,000 | 700 | 0.862 | 0.280 | 1.142 | 0.600 | 1.462 |", md, StringComparison.Ordinal); // financing, energy, then the three readings
        // A power sensitivity row for Gaudi 3 and B200 (their sources differ) under each device reading, none for the others.
        var sensitivity = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains(" W (", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, sensitivity.Count);
        Assert.Equal(2, sensitivity.Count(l => l.StartsWith("| Gaudi3 | 900 W (S24 (air-cooled OAM), S25); 1,200 W (S24 (liquid-cooled)) | 0.791 / 0.911 |", StringComparison.Ordinal)));
        Assert.Equal(2, sensitivity.Count(l => l.StartsWith("| B200 | 1,000 W", StringComparison.Ordinal)));
        foreach (var reading in new[] { "datasheet-firstprinciples", "datasheet-paperoperatingcost", "datasheet-financedplusoperatingcost", "papertable-firstprinciples", "papertable-paperoperatingcost", "papertable-financedplusoperatingcost" })
        {
            string svg = System.IO.File.ReadAllText(Path.Combine(_dir, $"tco-{reading}.svg"));
            Assert.Contains("<svg", svg, StringComparison.Ordinal);
            Assert.EndsWith("</svg>", svg.TrimEnd(), StringComparison.Ordinal);
            Assert.Contains("MI300X", svg, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Devices_ListsTheCpuOpenClAndTheCatalog()
    {
        var (code, output, _) = await Run("devices", "--catalog");
        Assert.Equal(0, code);
        Assert.StartsWith("cpu: ", output, StringComparison.Ordinal);
        Assert.Contains("opencl", output, StringComparison.Ordinal);
        Assert.Contains("H100-SXM", output, StringComparison.Ordinal);
        Assert.Contains("catalog 2026.11.1", output, StringComparison.Ordinal);
    }
}
