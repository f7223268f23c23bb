using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>Micro-batching of a batchable operator across concurrent requests.</summary>
public sealed class BatchingTests
{
    private static Task<IHost> Start(Action<AgentDsl.Batching.BatchOptions>? configure = null) =>
        TestHost.StartAsync(s => s.AddAgentDsl()
            .AddGraph<EmbedGraph>()
            .AddBatch<EmbedGraph, string, int[]>("Embed", (g, texts, ct) => ValueTask.FromResult(g.EmbedBatch(texts)), configure));

    private static int Expected(string text) => (text.Length * 100) + text.Count(c => c == 'a');

    [Fact]
    public async Task ConcurrentRequests_AreBatched_UpToTheMaximum_WithTheSameResults()
    {
        using var host = await Start(o => (o.MaxBatchSize, o.MaxWait) = (8, TimeSpan.FromMilliseconds(30)));
        var runner = host.Runner<EmbedGraph>();
        string[] texts = [.. Enumerable.Range(0, 32).Select(i => new string('a', i % 5) + new string('b', i))];

        var results = await Task.WhenAll(texts.Select(t => runner.RunAsync(t)));

        Assert.Equal(texts.Select(Expected), results.Select(r => r.Output));
        var batches = host.Services.GetRequiredService<EmbedGraph>().Batches.ToArray();
        Assert.Equal(32, batches.Sum());
        Assert.All(batches, b => Assert.InRange(b, 1, 8));
        Assert.True(batches.Length <= 8, $"{batches.Length} batches for 32 concurrent requests: [{string.Join(", ", batches)}]");
        Assert.Contains(results, r => r.Nodes.Single(n => n.Name == "Embed").BatchSize > 1);
        Assert.All(results, r => Assert.Equal(1, r.Nodes.Single(n => n.Name == "Score").BatchSize));
    }

    [Fact]
    public async Task ALoneRequest_WaitsAtMostTheBound_AndATightDeadlineWaitsLess()
    {
        using var host = await Start(o => o.MaxWait = TimeSpan.FromMilliseconds(120));
        var runner = host.Runner<EmbedGraph>();
        await runner.RunAsync("warm-up");

        // Nobody else comes: the batch of one runs when the wait bound (120 ms, within the 1 s SLA) runs out.
        var alone = await runner.RunAsync("aab");
        Assert.Equal(Expected("aab"), alone.Output);
        Assert.InRange(alone.Elapsed.TotalMilliseconds, 100, 900);

        // A 40 ms budget leaves no room for a 120 ms wait: the request's slack bounds it.
        var hurried = await runner.RunUntypedAsync(["ab"], new AgentRequestOptions { Budget = TimeSpan.FromMilliseconds(40) });
        Assert.Equal(Expected("ab"), hurried.OutputValue);
        Assert.True(hurried.Elapsed.TotalMilliseconds < 100, $"took {hurried.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task DerivedWait_IsATenthOfTheSla()
    {
        using var host = await Start();
        var runner = host.Runner<EmbedGraph>();
        await runner.RunAsync("warm-up");
        var alone = await runner.RunAsync("x");

        // SLA 1000 ms: the first invocation waits up to min(20 ms, 100 ms) = 20 ms for company.
        Assert.InRange(alone.Elapsed.TotalMilliseconds, 15, 500);
    }

    [Fact]
    public async Task ABatchFormThatBreaksItsContract_FailsEveryRequestInTheBatchWithTheReason()
    {
        using var host = await Start(o => o.MaxWait = TimeSpan.FromMilliseconds(30));
        host.Services.GetRequiredService<EmbedGraph>().WrongCount = true;
        var runner = host.Runner<EmbedGraph>();
        var outcomes = await Outcomes.DriveAsync(6, concurrency: 6, i => runner.RunUntypedAsync([$"t{i}"]));
        Assert.Equal(6, outcomes.Failed.Count);
        Assert.All(outcomes.Failed, f =>
        {
            Assert.Equal("Embed", f.Node.Name);
            Assert.Contains("returned", f.InnerException!.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ABatchFormForANonBatchableOperator_IsRejectedNamingTheNode()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl()
            .AddGraph<EmbedGraph>()
            .AddBatch<EmbedGraph, int[], int>("Score", (g, xs, ct) => ValueTask.FromResult<IReadOnlyList<int>>([.. xs.Select(g.Score)])));
        var error = Assert.Throws<InvalidOperationException>(() => host.Runner<EmbedGraph>());
        Assert.Contains("'Score'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Batchable = true", error.Message, StringComparison.Ordinal);
    }
}
