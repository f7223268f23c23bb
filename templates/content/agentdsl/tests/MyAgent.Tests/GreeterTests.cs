using AgentDsl.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace MyAgent.Tests;

public sealed class GreeterTests
{
    [Fact]
    public void TheGeneratorBuildsAGraphOfBothOperators()
    {
        var names = Greeter.Definition.Nodes.Select(n => n.Name).ToArray();
        Assert.Equal(["Greet", "Shout"], names);
    }

    [Fact]
    public async Task TheHostedRunnerRunsTheGraph()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseAgentDsl(agentDsl => agentDsl.AddGraph<Greeter>());
        using var host = builder.Build();
        await host.StartAsync();

        var result = await host.Services.GetRequiredService<IAgentRunner<Greeter>>().RunAsync("ada");

        Assert.Equal("HELLO ADA", result.Output);
        await host.StopAsync();
    }
}
