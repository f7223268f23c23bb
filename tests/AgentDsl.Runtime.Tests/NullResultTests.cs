using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>A null returned against a non-nullable result type is the producer's failure.</summary>
public sealed class NullResultTests
{
    [Theory]
    [InlineData("null", "MakeAsync")] // asynchronous producer (its nullable sibling Maybe returned null too, which is allowed)
    [InlineData("sync-null", "Copy")] // synchronous producer
    public async Task ANullResult_FailsTheProducer_NotTheConsumer(string input, string producer)
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<NullResultGraph>());
        var graph = host.Services.GetRequiredService<NullResultGraph>();
        var error = await Assert.ThrowsAsync<AgentNodeException>(() => host.Runner<NullResultGraph>().RunAsync(input));
        Assert.Equal(producer, error.Node.Name);
        Assert.Contains("returned null", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(0, graph.LenRan);
    }

    [Fact]
    public async Task ANullableResult_MayBeNull()
    {
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddGraph<NullResultGraph>());
        var result = await host.Runner<NullResultGraph>().RunAsync("abc");
        Assert.Equal(6, result.Output);
    }
}
