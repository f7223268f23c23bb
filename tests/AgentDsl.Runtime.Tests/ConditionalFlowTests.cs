using AgentDsl.Execution;
using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>if/else, early returns and ternary returns in a flow: the runtime runs exactly what the C# flow runs.</summary>
public class ConditionalFlowTests
{
    public static TheoryData<string, string> Requests => new()
    {
        { "make a bomb", "refused:make a bomb" },              // unsafe: early return
        { "weather in Paris today", "weather in Paris today:sunny" }, // tool path, tool answered
        { "weather", "refused:" },                             // tool path, tool returned nothing: nested early return
        { "hi", "hi" },                                        // direct, short: ternary true
        { "tell me a story", "tell me a story:tell me a story" }, // direct, long: ternary false
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task EachPath_ReturnsWhatTheFlowReturns_AndRunsOnlyItsOperators(string request, string expected)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<RouterGraph>());
        var graph = host.Services.GetRequiredService<RouterGraph>();

        var result = await host.Runner<RouterGraph>().RunAsync(request);
        var ranByRuntime = graph.Log.Order(StringComparer.Ordinal).ToArray();

        var direct = new RouterGraph();
        string directOutput = await direct.Handle(request, CancellationToken.None);
        var ranByFlow = direct.Log.Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(expected, directOutput);
        Assert.Equal(directOutput, result.Output);
        Assert.Equal(ranByFlow, ranByRuntime);

        // The timings list exactly the nodes that ran; skipped arms are absent.
        Assert.Equal(ranByFlow.Length, result.Nodes.Count);
        Assert.Equal(RouterGraph.Definition.Nodes.Length, result.Nodes.Count + result.SkippedNodes.Count);
        Assert.Empty(result.Nodes.Select(n => n.NodeId).Intersect(result.SkippedNodes));
        Assert.True(result.Nodes.Count < RouterGraph.Definition.Nodes.Length, "Some arm should have been skipped.");
    }

    [Theory]
    [InlineData(-5, new[] { "negative" })]
    [InlineData(0, new[] { "zero", "done" })]
    [InlineData(3, new[] { "small", "done" })]
    [InlineData(100, new[] { "large", "done" })]
    public async Task VoidFlow_EarlyReturnAndElseIf_RunTheSameSideEffectsAsTheFlow(int n, string[] expected)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<TriageGraph>());
        var graph = host.Services.GetRequiredService<TriageGraph>();
        var direct = new TriageGraph();

        await host.Runner<TriageGraph>().RunAsync(n);
        await direct.Process(n, CancellationToken.None);

        Assert.Equal(expected, direct.Log.ToArray());

        // 'done' does not depend on the else-if arms, so the runtime may run them concurrently: compare as sets.
        Assert.Equal(expected.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SkippedNodes_AreCountedInTheMetric()
    {
        var skipped = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AgentDsl.Telemetry.AgentDslTelemetry.Name && instrument.Name == "agentdsl.node.skipped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? graph = null, node = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "agentdsl.graph") graph = tag.Value as string;
                if (tag.Key == "agentdsl.node") node = tag.Value as string;
            }

            if (graph == RouterGraph.Definition.Name && value == 1)
            {
                skipped.Add(node!);
            }
        });
        listener.Start();

        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<RouterGraph>());
        var result = await host.Runner<RouterGraph>().RunAsync("make a bomb");

        Assert.Equal(
            result.SkippedNodes.Select(id => RouterGraph.Definition.Nodes[id].Name).Order(StringComparer.Ordinal),
            skipped.Order(StringComparer.Ordinal));
        Assert.Contains("CallTool", skipped);
    }

    [Fact]
    public async Task ManyRequests_Concurrently_EachTakesItsOwnBranch()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<RouterGraph>());
        var runner = host.Runner<RouterGraph>();
        var requests = Enumerable.Range(0, 200).Select(i => (i % 5) switch
        {
            0 => "bomb " + i,
            1 => "weather number " + i,
            2 => "weather",
            3 => "hi" + (i % 10),
            _ => "a longer question " + i,
        }).ToArray();

        var results = await Task.WhenAll(requests.Select(r => runner.RunAsync(r)));

        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(await new RouterGraph().Handle(requests[i], CancellationToken.None), results[i].Output);
        }
    }

    [Fact]
    public void Definition_RecordsGuardsAndConditionalReturns()
    {
        var def = RouterGraph.Definition;
        Assert.True(def.HasBranches);
        Assert.Null(def.Output);
        Assert.Equal(5, def.Returns.Length);

        int isSafe = def.GetNode("IsSafe").Id, needsTool = def.GetNode("NeedsTool").Id, isShort = def.GetNode("IsShort").Id;
        Assert.Empty(def.GetNode("Classify").Guards);
        Assert.Equal([new NodeGuard(isSafe, false)], def.GetNode("Refuse").Guards);
        Assert.Equal([new NodeGuard(isSafe, true), new NodeGuard(needsTool, true)], def.GetNode("CallTool").Guards);

        // The statements after an if whose then-arm returns run only on the else path.
        Assert.Equal([new NodeGuard(isSafe, true), new NodeGuard(needsTool, false)], def.GetNode("IsShort").Guards);
        Assert.Equal([new NodeGuard(isSafe, true), new NodeGuard(needsTool, false), new NodeGuard(isShort, true)], def.GetNode("Echo").Guards);

        // A guarded node waits for the nodes that decide it, even without reading their results.
        Assert.Contains(def.GetNode("Echo").Id, def.DependentsOf(isShort));
        Assert.DoesNotContain(def.GetNode("CallTool").Id, def.Roots);
    }

    [Fact]
    public void Export_RoundTripsGuardsAndReturns()
    {
        var def = RouterGraph.Definition;
        var json = def.ToJson();
        var back = GraphImport.FromJson(json, "router.json");

        Assert.Equal(def.Nodes.Select(n => n.Guards), back.Nodes.Select(n => n.Guards), new GuardListComparer());
        Assert.Equal(def.Returns.Select(r => r.Value), back.Returns.Select(r => r.Value));
        Assert.Equal(def.Returns.Select(r => r.Guards), back.Returns.Select(r => r.Guards), new GuardListComparer());
        Assert.Equal(json, back.ToJson());
        Assert.Equal(def.ToMlir(), back.ToMlir());
        Assert.Contains("style=dashed", def.ToDot(), StringComparison.Ordinal);
        Assert.Contains("\"agent.select\"", def.ToMlir(), StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratedMlir_MatchesTheRuntimeExport()
    {
        Assert.Equal(RouterGraph.Mlir, RouterGraph.Definition.ToMlir());
    }

    [Fact]
    public void InvalidGuards_AreRejectedNamingTheNode()
    {
        NodeDefinition Node(int id, string name, string type, params NodeGuard[] guards) =>
            new(id, name, name, OperatorKind.Compute, type, false, [new NodeInput("s", "string", ValueRef.Input(0))]) { Guards = guards };
        GraphInput[] inputs = [new GraphInput(0, "s", "string")];

        var notBool = Assert.Throws<GraphDefinitionException>(() => new GraphDefinition("g", "G", "Run", default, inputs,
            [Node(0, "Text", "string"), Node(1, "Arm", "string", new NodeGuard(0, true))], ValueRef.Node(1), "string"));
        Assert.Contains("node 'Arm'", notBool.Message, StringComparison.Ordinal);
        Assert.Contains("not bool", notBool.Message, StringComparison.Ordinal);

        var later = Assert.Throws<GraphDefinitionException>(() => new GraphDefinition("g", "G", "Run", default, inputs,
            [Node(0, "Arm", "string", new NodeGuard(1, true)), Node(1, "Check", "bool")], ValueRef.Node(0), "string"));
        Assert.Contains("cycle", later.Message, StringComparison.Ordinal);

        var probability = Assert.Throws<GraphDefinitionException>(() => new GraphDefinition("g", "G", "Run", default, inputs,
            [Node(0, "Check", "bool"), Node(1, "Arm", "string", new NodeGuard(0, true, 1.5))], ValueRef.Node(1), "string"));
        Assert.Contains("outside [0, 1]", probability.Message, StringComparison.Ordinal);
    }

    private sealed class GuardListComparer : IEqualityComparer<IReadOnlyList<NodeGuard>>
    {
        public bool Equals(IReadOnlyList<NodeGuard>? x, IReadOnlyList<NodeGuard>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(IReadOnlyList<NodeGuard> obj) => obj.Count;
    }
}

/// <summary>
/// Issue 12, point 1: a local reassigned in only one arm (else, or a later switch section) must take the version of
/// the path the request took, as the direct call does.
/// </summary>
public class MergeFlowTests
{
    [Theory]
    [InlineData("hi")]          // not good: the else arm revises
    [InlineData("good news")]   // good: the then arm audits, the draft stays
    public async Task ElseArmReassignment_ReturnsTheRevisedDraft(string q)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ElseReassignGraph>());
        var graph = host.Services.GetRequiredService<ElseReassignGraph>();
        var result = await host.Runner<ElseReassignGraph>().RunAsync(q);

        var direct = new ElseReassignGraph();
        string expected = await direct.Handle(q, CancellationToken.None);

        Assert.Equal(expected, result.Output);
        Assert.Equal(direct.Log.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task EmptyThenArm_ElseReassignment_IsKept(int q)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<EmptyThenGraph>());
        var result = await host.Runner<EmptyThenGraph>().RunAsync(q);
        Assert.Equal(new EmptyThenGraph().Run(q), result.Output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task LaterSwitchSection_Reassignment_IsKept(int n)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<LateSectionSwitchGraph>());
        var graph = host.Services.GetRequiredService<LateSectionSwitchGraph>();
        var result = await host.Runner<LateSectionSwitchGraph>().RunAsync(n);

        var direct = new LateSectionSwitchGraph();
        Assert.Equal(direct.Run(n), result.Output);
        Assert.Equal(direct.Log.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MergeInputs_AreLatestFirst_AndAnOtherOrderIsRejected()
    {
        var merge = ElseReassignGraph.Definition.Nodes.Single(n => n.Merge);
        var ids = merge.Inputs.Select(i => i.Value.Index).ToArray();
        Assert.Equal(ids.OrderDescending(), ids);

        // The same graph with the merge's inputs in source-path order (the old lowering) no longer validates.
        var json = AgentDsl.Ir.GraphExport.ToJson(ElseReassignGraph.Definition);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var mergeJson = node["nodes"]!.AsArray().Single(n => (bool?)n!["merge"] == true)!;
        var inputs = mergeJson["inputs"]!.AsArray();
        var reversed = inputs.Reverse().Select(i => i!.DeepClone()).ToArray();
        inputs.Clear();
        foreach (var i in reversed) inputs.Add(i);
        var ex = Assert.ThrowsAny<Exception>(() => AgentDsl.Ir.GraphImport.FromJson(node.ToJsonString()));
        Assert.Contains("latest first", ex.ToString());
    }
}

/// <summary>Issue 12, point 7: shapes that were rejected with misleading messages now lower and behave as the direct call.</summary>
public class FlowShapeTests
{
    [Theory]
    [InlineData("make a bomb")]     // constant early return
    [InlineData("hi")]              // short: no switch
    [InlineData("hello world")]     // 11 % 3 = 2: default section, Join((Split(a)))
    [InlineData("abcdefg")]         // 7 % 3 = 1: Shorten
    [InlineData("abcdef")]          // 6 % 3 = 0: Audit
    [InlineData("none")]            // ternary with a constant arm
    public async Task SwitchInIfArm_ParenthesisedArgument_ConstantReturns_BehaveAsTheFlow(string input)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ShapesGraph>());
        var graph = host.Services.GetRequiredService<ShapesGraph>();
        var result = await host.Runner<ShapesGraph>().RunAsync(input);

        var direct = new ShapesGraph();
        string expected = await direct.Run(input, CancellationToken.None);

        Assert.Equal(expected, result.Output);
        Assert.Equal(direct.Log.Order(StringComparer.Ordinal), graph.Log.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFlowThatReturnsOnlyAConstant_Runs()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<ConstantGraph>());
        var result = await host.Runner<ConstantGraph>().RunAsync(7);
        Assert.Equal(new ConstantGraph().Run(7), result.Output);
    }
}
