using AgentDsl.Generated;
using System.Diagnostics;
using AgentDsl.Batching;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary><see cref="BatchCoordinator"/> and <see cref="NodeBatcher"/> on their own: which nodes are batched, and when a batch runs.</summary>
public sealed class BatchCoordinatorTests
{
    private static RunnerParts Parts<TGraph>()
        where TGraph : class, IAgentGraph<TGraph> =>
        new(TGraph.Definition, [new SimDevice("a", DeviceKinds.Accelerator, latencyMs: 0)]);

    private static OperatorBatch EmbedBatch(string @operator = "Embed", Action<BatchOptions>? configure = null)
    {
        var options = new BatchOptions();
        configure?.Invoke(options);
        return new OperatorBatch<EmbedGraph>(new OperatorBatchForm<EmbedGraph, string, int[]>(@operator, (g, texts, ct) => ValueTask.FromResult(g.EmbedBatch(texts))), options);
    }

    private static BatchCoordinator Coordinator<TGraph>(RunnerParts parts, TGraph graph, params OperatorBatch[] registered)
        where TGraph : class, IAgentGraph<TGraph> =>
        new(parts.Definition, typeof(TGraph), graph, registered, TGraph.BatchForms, static (form, o) => new OperatorBatch<TGraph>(form, o),
            parts.Options, parts.Replanner, parts.Admission, parts.Estimates, parts.GraphTag);

    /// <summary>A request's values with Prepare done: Embed reads <paramref name="text"/>.</summary>
    private static NodeValues Prepared(RunnerParts parts, string text)
    {
        var values = new NodeValues([text], parts.Definition.Nodes.Length);
        values.SetResult(parts.Node("Prepare"), text);
        return values;
    }

    [Fact]
    public void ABatchRegisteredForAnOperatorNoNodeCalls_Fails_NamingIt()
    {
        using var parts = Parts<EmbedGraph>();

        var error = Assert.Throws<InvalidOperationException>(() => Coordinator(parts, new EmbedGraph(), EmbedBatch("Missing")));

        Assert.Equal("Graph 'EmbedGraph': a batch form is registered for operator 'Missing', which no node of the graph calls.", error.Message);
    }

    [Fact]
    public void ABatchRegisteredForAnOperatorNotBatchable_Fails_NamingTheNode()
    {
        using var parts = Parts<EmbedGraph>();

        var error = Assert.Throws<InvalidOperationException>(() => Coordinator(parts, new EmbedGraph(), EmbedBatch("Score")));

        Assert.StartsWith("Graph 'EmbedGraph': node 'Score'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not declared [Operator(Batchable = true)]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNodesOfARegisteredOperator_AreBatched_BatchesOfOtherGraphsIgnored()
    {
        using var parts = Parts<EmbedGraph>();
        var other = new OperatorBatch<ListEmbedGraph>(new OperatorBatchForm<ListEmbedGraph, string, int[]>("Embed", (g, t, ct) => default), new BatchOptions());

        var batching = Coordinator(parts, new EmbedGraph(), other);
        Assert.Empty(batching.BatchedNodes);

        batching = Coordinator(parts, new EmbedGraph(), other, EmbedBatch());
        Assert.Equal([parts.Node("Embed")], batching.BatchedNodes);
        Assert.True(batching.IsBatched(parts.Node("Embed")));
        Assert.NotNull(batching.BatcherOf(parts.Node("Embed")));
        Assert.False(batching.IsBatched(parts.Node("Score")));
        Assert.Null(batching.BatcherOf(parts.Node("Prepare")));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("Embed", 1, false)]
    [InlineData("ListEmbedGraph.Embed", 1, false)]
    [InlineData("OtherGraph.Embed", 1, true)]
    public void AGeneratedBatchForm_IsUsed_UnlessItsOptionsTurnBatchingOff(string? key, int? maxBatchSize, bool batched)
    {
        using var parts = Parts<ListEmbedGraph>();
        if (key is not null)
        {
            parts.Options.Batching[key] = new BatchOptions { MaxBatchSize = maxBatchSize!.Value };
        }

        var batching = Coordinator(parts, new ListEmbedGraph());

        Assert.Equal(batched, batching.IsBatched(parts.Node("Embed")));
    }

    [Fact]
    public void RequestsOnTheirWay_AreCountedPerBatchedNode()
    {
        using var parts = Parts<EmbedGraph>();
        var batching = Coordinator(parts, new EmbedGraph(), EmbedBatch());
        int embed = parts.Node("Embed");

        batching.Expect();
        batching.Expect();
        Assert.Equal(2, batching.Upcoming(embed));

        batching.Arrived(embed);
        Assert.Equal(1, batching.Upcoming(embed));
    }

    [Fact]
    public async Task WithNoRequestOnItsWay_ASubmissionRunsAtOnce_Alone()
    {
        using var parts = Parts<EmbedGraph>();
        var graph = new EmbedGraph();
        var batching = Coordinator(parts, graph, EmbedBatch(configure: o => o.MaxWait = TimeSpan.FromSeconds(30)));
        var values = Prepared(parts, "banana");

        var outcome = await batching.BatcherOf(parts.Node("Embed"))!.SubmitAsync(values, long.MaxValue, Stopwatch.GetTimestamp(), default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, outcome.Size);
        Assert.Equal(parts.Device("a"), outcome.Device);
        Assert.True(outcome.Ended >= outcome.Started);
        Assert.Equal([6, 3], (int[])values.Result(parts.Node("Embed"))!);
        Assert.Equal([1], graph.Batches);
    }

    [Fact]
    public async Task ABatch_WaitsForRequestsOnTheirWay_AndRunsOnceFull()
    {
        using var parts = Parts<EmbedGraph>();
        var graph = new EmbedGraph();
        var batching = Coordinator(parts, graph, EmbedBatch(configure: o => (o.MaxBatchSize, o.MaxWait) = (2, TimeSpan.FromSeconds(30))));
        var batcher = batching.BatcherOf(parts.Node("Embed"))!;
        batching.Expect();
        batching.Expect();
        var first = Prepared(parts, "aa");
        var second = Prepared(parts, "bbb");

        var waiting = batcher.SubmitAsync(first, long.MaxValue, Stopwatch.GetTimestamp(), default);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, batcher.Pending);

        var full = batcher.SubmitAsync(second, long.MaxValue, Stopwatch.GetTimestamp(), default);
        var outcomes = await Task.WhenAll(waiting, full).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(outcomes, o => Assert.Equal(2, o.Size));
        Assert.Equal([2], graph.Batches);
        Assert.Equal([2, 2], (int[])first.Result(parts.Node("Embed"))!);
        Assert.Equal([3, 0], (int[])second.Result(parts.Node("Embed"))!);
        Assert.Equal(0, batcher.Pending);
    }

    [Fact]
    public async Task ABatchNotFull_RunsWhenItsWaitRunsOut()
    {
        using var parts = Parts<EmbedGraph>();
        var batching = Coordinator(parts, new EmbedGraph(), EmbedBatch(configure: o => o.MaxWait = TimeSpan.FromMilliseconds(40)));
        batching.Expect();
        batching.Expect();
        var clock = Stopwatch.StartNew();

        var outcome = await batching.BatcherOf(parts.Node("Embed"))!.SubmitAsync(Prepared(parts, "a"), long.MaxValue, Stopwatch.GetTimestamp(), default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, outcome.Size);
        Assert.True(clock.ElapsedMilliseconds >= 30, $"ran after {clock.ElapsedMilliseconds} ms, before its wait of 40 ms");
    }

    [Fact]
    public async Task ARequestWithNoSlack_DoesNotWait()
    {
        using var parts = Parts<EmbedGraph>();
        var batching = Coordinator(parts, new EmbedGraph(), EmbedBatch(configure: o => o.MaxWait = TimeSpan.FromSeconds(30)));
        batching.Expect();
        batching.Expect();
        long now = Stopwatch.GetTimestamp();

        var outcome = await batching.BatcherOf(parts.Node("Embed"))!.SubmitAsync(Prepared(parts, "a"), deadlineTicks: now, now, default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, outcome.Size);
    }

    [Fact]
    public async Task AFailedBatch_FailsEveryMember()
    {
        using var parts = Parts<EmbedGraph>();
        var graph = new EmbedGraph { WrongCount = true };
        var batching = Coordinator(parts, graph, EmbedBatch(configure: o => (o.MaxBatchSize, o.MaxWait) = (2, TimeSpan.FromSeconds(30))));
        var batcher = batching.BatcherOf(parts.Node("Embed"))!;
        batching.Expect();
        batching.Expect();

        var first = batcher.SubmitAsync(Prepared(parts, "a"), long.MaxValue, Stopwatch.GetTimestamp(), default);
        var second = batcher.SubmitAsync(Prepared(parts, "b"), long.MaxValue, Stopwatch.GetTimestamp(), default);

        var errors = await Task.WhenAll(
            Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(TimeSpan.FromSeconds(10))),
            Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(TimeSpan.FromSeconds(10))));
        Assert.All(errors, e => Assert.Contains("returned 1 results for 2 inputs", e.Message, StringComparison.Ordinal));
    }
}
