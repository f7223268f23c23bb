using AgentDsl.Generated;
using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
        var host = await Start(o => (o.MaxBatchSize, o.MaxWait) = (8, TimeSpan.FromMilliseconds(30)));
        await using var _ = (IAsyncDisposable)host;
        var runner = host.Runner<EmbedGraph>();
        // All 32 reach Embed about 60 ms after they start, together.
        string[] texts = [.. Enumerable.Range(0, 32).Select(i => "slow" + new string('a', i % 5) + new string('b', i))];

        var results = await Task.Run(() => Task.WhenAll(texts.Select(t => runner.RunAsync(t))));

        Assert.Equal(texts.Select(Expected), results.Select(r => r.Output));
        var batches = host.Services.GetRequiredService<EmbedGraph>().Batches.ToArray();
        Assert.Equal(32, batches.Sum());
        Assert.All(batches, b => Assert.InRange(b, 1, 8));
        Assert.True(batches.Length <= 8, $"{batches.Length} batches for 32 concurrent requests: [{string.Join(", ", batches)}]");
        Assert.Contains(results, r => r.Nodes.Single(n => n.Name == "Embed").BatchSize > 1);
        Assert.All(results, r => Assert.Equal(1, r.Nodes.Single(n => n.Name == "Score").BatchSize));
    }

    [Fact]
    public async Task ALoneRequest_DoesNotWait_ButWaitsForAnotherRequestInFlight_WithinTheBound()
    {
        using var host = await Start(o => o.MaxWait = TimeSpan.FromMilliseconds(300));
        var runner = host.Runner<EmbedGraph>();
        var graph = host.Services.GetRequiredService<EmbedGraph>();
        await runner.RunAsync("warm-up");

        // Alone in flight: nobody can join, so no wait.
        var alone = await runner.RunAsync("aab");
        Assert.Equal(Expected("aab"), alone.Output);
        Assert.True(alone.Elapsed.TotalMilliseconds < 150, $"a lone request took {alone.Elapsed.TotalMilliseconds} ms");

        // Two in flight, the second reaches Embed 60 ms later: the first waits for it (within the 300 ms bound).
        graph.Batches.Clear();
        var second = runner.RunAsync("slow-a");
        var first = runner.RunAsync("ab");
        var results = await Task.WhenAll(first, second);
        Assert.Equal([Expected("ab"), Expected("slow-a")], results.Select(r => r.Output));
        Assert.Equal([2], graph.Batches);
        Assert.True(results[0].Elapsed.TotalMilliseconds >= 45, $"the first took {results[0].Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task ATightDeadline_BoundsTheWait()
    {
        using var host = await Start(o => o.MaxWait = TimeSpan.FromMilliseconds(300));
        var runner = host.Runner<EmbedGraph>();
        var graph = host.Services.GetRequiredService<EmbedGraph>();
        await runner.RunAsync("warm-up");
        graph.Batches.Clear();

        // The first has a 30 ms budget: its slack, not the 300 ms bound, limits the wait, so it runs alone.
        var slow = runner.RunAsync("slow-b");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var hurried = runner.RunUntypedAsync(["ab"], new AgentRequestOptions { Budget = TimeSpan.FromMilliseconds(30) });
        try
        {
            var done = await hurried;
            Assert.Equal(Expected("ab"), done.OutputValue);
        }
        catch (AgentNodeException e) when (e.InnerException is TimeoutException)
        {
            // A loaded machine: the budget is enforced, so the request ended at its deadline instead of completing late.
        }

        var elapsed = started.Elapsed;
        var slowResult = await slow;
        Assert.True(elapsed.TotalMilliseconds < 200, $"took {elapsed.TotalMilliseconds} ms (the batch wait bound is 300 ms); batches [{string.Join(", ", graph.Batches)}]; slow {slowResult.Elapsed.TotalMilliseconds:0}");
        Assert.All(graph.Batches, b => Assert.Equal(1, b));
    }

    [Fact]
    public async Task DerivedWait_IsATenthOfTheSla_AtMost20Ms()
    {
        using var host = await Start();
        var runner = host.Runner<EmbedGraph>();
        var graph = host.Services.GetRequiredService<EmbedGraph>();
        await runner.RunAsync("warm-up");
        graph.Batches.Clear();

        // SLA 1000 ms: the first invocation waits at most min(20 ms, 100 ms) = 20 ms, so the one arriving 60 ms later misses it.
        var slow = runner.RunAsync("slow-c");
        var fast = await runner.RunAsync("ab");
        await slow;
        Assert.Equal([1, 1], graph.Batches);
        Assert.InRange(fast.Elapsed.TotalMilliseconds, 15, 55);
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

    private static async Task<IHost> StartDiscovered(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)));
        builder.UseAgentDsl(a => a.AddGraph<ListEmbedGraph>());
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    [Fact]
    public async Task ABatchOverloadOfTheOperator_IsFoundByTheGenerator_AndBatchesWithoutRegistration()
    {
        Assert.Equal("Embed", Assert.Single(BatchFormsOf<ListEmbedGraph>()).Operator);
        Assert.Empty(BatchFormsOf<EmbedGraph>()); // its batch method has another name: registered with AddBatch
        var host = await StartDiscovered(("AgentDsl:Batching:ListEmbedGraph.Embed:MaxBatchSize", "4"), ("AgentDsl:Batching:ListEmbedGraph.Embed:MaxWait", "00:00:00.030"));
        await using var _ = (IAsyncDisposable)host;
        var runner = host.Runner<ListEmbedGraph>();
        string[] texts = [.. Enumerable.Range(0, 16).Select(i => "slow" + new string('a', i % 3) + new string('b', i))];

        var results = await Task.Run(() => Task.WhenAll(texts.Select(t => runner.RunAsync(t))));

        Assert.Equal(texts.Select(Expected), results.Select(r => r.Output));
        var batches = host.Services.GetRequiredService<ListEmbedGraph>().Batches.ToArray();
        Assert.Equal(16, batches.Sum());
        Assert.All(batches, b => Assert.InRange(b, 1, 4)); // the configured maximum
        Assert.True(batches.Length < 16, $"no batching: [{string.Join(", ", batches)}]");
        Assert.Contains(results, r => r.Nodes.Single(n => n.Name == "Embed").BatchSize > 1);
    }

    private static IReadOnlyList<OperatorBatchForm> BatchFormsOf<T>()
        where T : class, IAgentGraph<T> => T.BatchForms;

    [Fact]
    public async Task ABatchOverload_IsNotUsed_WhenMaxBatchSizeIsOne()
    {
        using var host = await StartDiscovered(("AgentDsl:Batching:Embed:MaxBatchSize", "1"));
        var runner = host.Runner<ListEmbedGraph>();
        var results = await Task.Run(() => Task.WhenAll(Enumerable.Range(0, 8).Select(i => runner.RunAsync("slow" + i))));
        Assert.All(results, r => Assert.Equal(1, r.Nodes.Single(n => n.Name == "Embed").BatchSize));
        Assert.Empty(host.Services.GetRequiredService<ListEmbedGraph>().Batches);
    }

    [Fact]
    public async Task AnInvalidBatchingOption_FailsAtStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => StartDiscovered(("AgentDsl:Batching:Embed:MaxBatchSize", "0")));
        Assert.Contains("AgentDsl:Batching:Embed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBatch_ReplacesTheGeneratedBatchForm()
    {
        int calls = 0;
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl()
            .AddGraph<ListEmbedGraph>()
            .AddBatch<ListEmbedGraph, string, int[]>("Embed", (g, texts, ct) =>
            {
                Interlocked.Increment(ref calls);
                return ValueTask.FromResult<IReadOnlyList<int[]>>([.. texts.Select(t => new[] { t.Length, t.Count(c => c == 'a') })]);
            }));
        var runner = host.Runner<ListEmbedGraph>();
        var results = await Task.Run(() => Task.WhenAll(Enumerable.Range(0, 8).Select(i => runner.RunAsync("slow" + i))));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => Expected("slow" + i)), results.Select(r => r.Output));
        Assert.True(calls > 0);
        Assert.Empty(host.Services.GetRequiredService<ListEmbedGraph>().Batches);
    }
}
