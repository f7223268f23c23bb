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
    public async Task UnknownConfigurationKeys_FailStartNamingTheirPath()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentDsl:MaxConcurency"] = "4",
            ["AgentDsl:Operators:Search:MaxRetrys"] = "3",
            ["AgentDsl:Replanning:SlowdownFactr"] = "2",
            ["AgentDsl:Operators:AnyNameAtAll:MaxRetries"] = "1", // keys of Operators are the user's names
        });
        builder.UseAgentDsl(a => a.AddGraph<CalculatorGraph>());
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AgentDsl:MaxConcurency: unknown configuration key 'MaxConcurency'", error.Message, StringComparison.Ordinal);
        Assert.Contains("CpuMaxConcurrency", error.Message, StringComparison.Ordinal); // what is allowed there
        Assert.Contains("AgentDsl:Operators:Search:MaxRetrys", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentDsl:Replanning:SlowdownFactr", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AnyNameAtAll", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Failures.Count());
    }

    private sealed class ExtensionOptions
    {
        public int Threads { get; set; }
    }

    [Fact]
    public async Task AnExtensionsSection_IsCheckedAgainstItsOwnOptions_NotReportedAsUnknown()
    {
        // Before: a registered extension's section (AgentDsl:OpenCL, AgentDsl:LlamaCpp) failed start as an unknown key.
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentDsl:Engine:Threads"] = "2",
            ["AgentDsl:Engine:Thread"] = "2",
        });
        builder.UseAgentDsl(a =>
        {
            a.AddGraph<CalculatorGraph>();
            a.Services.AddSingleton(new AgentDslConfigurationSection("Engine", typeof(ExtensionOptions)));
        });
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AgentDsl:Engine:Thread: unknown configuration key 'Thread'; ExtensionOptions has Threads.", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Failures);
    }

    [Fact]
    public async Task KnownConfigurationKeys_AnyCase_UserNamedEntries_Start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["agentdsl:cpumaxconcurrency"] = "2",
            ["AgentDsl:CancellationGrace"] = "00:00:00.050",
            ["AgentDsl:Replanning:SlowdownFactor"] = "2",
            ["AgentDsl:Devices:opencl-0-1:MaxConcurrency"] = "1",
            ["AgentDsl:Operators:calculator.Scale:Timeout"] = "00:00:01",
            ["AgentDsl:Batching:Embed:MaxBatchSize"] = "8",
            ["AgentDsl:Resilience:MaxRetries"] = "1",
        });
        builder.UseAgentDsl(a => a.AddGraph<CalculatorGraph>());
        using var host = builder.Build();
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<AgentDslOptions>>().Value;
        Assert.Equal(2, options.CpuMaxConcurrency);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.CancellationGrace);
        Assert.Equal(8, options.Batching["Embed"].MaxBatchSize);
        await host.StopAsync();
    }

    [Fact]
    public void NullArguments_AreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => AgentDslServiceCollectionExtensions.AddAgentDsl(null!));
        Assert.Throws<ArgumentNullException>(() => AgentDslServiceCollectionExtensions.AddGraph<CalculatorGraph>(null!));
    }
}
