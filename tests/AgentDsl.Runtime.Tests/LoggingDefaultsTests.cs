using AgentDsl.Execution;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>A console app logs at Information by default: the runtime's routine events stay below it.</summary>
public class LoggingDefaultsTests
{
    [Fact]
    public async Task AtTheDefaultLevel_StartingServingAndCancelling_LogNothing()
    {
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder(); // the console app's defaults: Information and above
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<CalculatorGraph>();
        builder.Services.AddAgentDsl().AddGraph<CalculatorGraph>();
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var runner = host.Services.GetRequiredService<IAgentRunner<CalculatorGraph>>();
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(((3 * 3) + (4 * 4)) * 0.5 + 7, (await runner.RunAsync(3, 4)).Output);
            }

            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(3, 4, cancelled.Token));
            await host.StopAsync();
        }

        var agentDsl = logs.Entries.Where(e => e.Category.StartsWith("AgentDsl", StringComparison.Ordinal)).ToList();
        Assert.True(agentDsl.Count == 0, "Logged at the default level: " + string.Join("; ", agentDsl.Select(e => $"{e.Level} {e.Category}: {e.Message}")));
    }
}
