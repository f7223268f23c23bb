using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace AgentDsl.OpenCL.Tests;

/// <summary>The AgentDsl:OpenCL section under UseAgentDsl: its keys are checked against OpenClOptions (no OpenCL needed: disabled).</summary>
public class OpenClConfigurationTests
{
    private static IHost Build(Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.UseAgentDsl(a => a.AddOpenClDevices());
        return builder.Build();
    }

    [Fact]
    public async Task KnownKeys_Bind_AndStart()
    {
        using var host = Build(new() { ["AgentDsl:OpenCL:Enabled"] = "false", ["AgentDsl:OpenCL:RequirePlatform"] = "false" });
        await host.StartAsync();
        Assert.False(host.Services.GetRequiredService<IOptions<OpenClOptions>>().Value.Enabled);
        Assert.Empty(host.Services.GetRequiredService<OpenClDeviceSet>().Devices);
        await host.StopAsync();
    }

    [Fact]
    public async Task AnUnknownKey_FailsStartNamingIt()
    {
        using var host = Build(new() { ["AgentDsl:OpenCL:Enabld"] = "false", ["AgentDsl:OpenCL:Enabled"] = "false" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AgentDsl:OpenCL:Enabld: unknown configuration key 'Enabld'; OpenClOptions has", error.Message, StringComparison.Ordinal);
    }
}
