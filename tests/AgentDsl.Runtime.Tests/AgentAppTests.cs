using AgentDsl.Hosting;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>The one-call way to run a graph without writing a host.</summary>
public sealed class AgentAppTests
{
    [Fact]
    public async Task A_started_session_runs_the_graph_like_a_direct_call_of_its_flow()
    {
        var graph = new CalculatorGraph();
        double direct = await new CalculatorGraph().Compute(3, 4, CancellationToken.None);

        await using (var agent = await AgentApp.StartAsync(graph))
        {
            var result = await agent.RunAsync(3, 4); // the generated typed RunAsync applies to the session

            Assert.Equal(direct, result.Output);
            Assert.Contains("scaled", graph.Log); // the instance given is the one that ran
            Assert.Equal(1, agent.Statistics.Completed);
            Assert.NotNull(agent.Services.GetService<Orchestration.AgentRuntime>());
        }
    }

    [Fact]
    public async Task Invalid_options_fail_the_start_as_a_hosts_start_would()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            AgentApp.StartAsync(new CalculatorGraph(), a => a.Services.Configure<AgentDslOptions>(o => o.MaxInFlightRequests = -1)));
        Assert.Contains("MaxInFlightRequests", error.Message, StringComparison.Ordinal);
    }
}
