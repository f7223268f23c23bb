using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>
/// The rule behind ADSL0007 (docs/dsl.md, "Values shared between concurrent operators"): operators that do not depend
/// on each other run at the same time, so one that changes a collection another also receives can give the graph a
/// different result than the direct call, which runs them in the order written.
/// </summary>
public class SharedMutableValueTests
{
    [Fact]
    public async Task ListClearedByOneOperator_WhileAnotherCountsIt_DiffersFromTheDirectCall()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<SharedListGraph>());
        var graph = host.Services.GetRequiredService<SharedListGraph>();
        graph.CountFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var direct = await new SharedListGraph().Run("a b c", CancellationToken.None);
        var result = await host.Runner<SharedListGraph>().RunAsync("a b c");

        // The direct call clears the list before counting it; in the graph Count and Clear run together (here Count first).
        Assert.Equal("removed 3, counted 0", direct);
        Assert.Equal("removed 3, counted 3", result.Output);
    }
}
