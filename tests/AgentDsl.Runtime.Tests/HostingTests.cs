using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace AgentDsl.Runtime.Tests;

public class HostingTests
{
    [Fact]
    public void AddAgentDsl_IsIdempotent()
    {
        var services = new ServiceCollection();
        services.AddAgentDsl().AddGraph<CalculatorGraph>();
        services.AddAgentDsl().AddGraph<CalculatorGraph>();
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IAgentDevice>());
        Assert.Single(provider.GetServices<IAgentRunner<CalculatorGraph>>());
        Assert.IsType<CpuDevice>(Assert.Single(provider.GetServices<IAgentDevice>()));
    }

    [Fact]
    public async Task InvalidOptions_FailAtStartWithTheField()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAgentDsl(o => o.CpuMaxConcurrency = -1).AddGraph<CalculatorGraph>();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(nameof(AgentDslOptions.CpuMaxConcurrency), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseAgentDsl_BindsTheConfigurationSection()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AgentDsl:CpuMaxConcurrency"] = "3" });
        builder.UseAgentDsl(a => a.AddGraph<CalculatorGraph>());
        using var host = builder.Build();
        await host.StartAsync();

        Assert.Equal(3, host.Services.GetRequiredService<IOptions<AgentDslOptions>>().Value.CpuMaxConcurrency);
        Assert.Equal(3, host.Services.GetRequiredService<CpuDevice>().Descriptor.MaxConcurrency);
        var result = await host.Services.GetRequiredService<IAgentRunner<CalculatorGraph>>().RunAsync(1, 1);
        Assert.Equal(8, result.Output);
    }

    [Fact]
    public void NullArguments_AreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => AgentDslServiceCollectionExtensions.AddAgentDsl(null!));
        Assert.Throws<ArgumentNullException>(() => AgentDslServiceCollectionExtensions.AddGraph<CalculatorGraph>(null!));
    }
}
