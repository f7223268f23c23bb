using AgentDsl.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AgentDsl.Hosting;
using Microsoft.Extensions.Options;

namespace AgentDsl;

/// <summary>
/// The shortest way to run a graph — for scripts, tests and small programs — without writing a host: the runtime with
/// its defaults (the CPU device, the planner, admission, resilience), started, around one graph instance.
/// <code>
/// await using var agent = await AgentApp.StartAsync(new Greeter());
/// var result = await agent.RunAsync("world");
/// </code>
/// Everything the generic host offers (configuration, logging, OpenTelemetry, more graphs and devices) is one
/// <c>UseAgentDsl</c> call away; the <c>configure</c> argument of <see cref="StartAsync{TGraph}"/> takes the same builder.
/// </summary>
public static class AgentApp
{
    /// <summary>Starts the runtime around <paramref name="graph"/>; dispose the session to stop it (requests in flight drain first).</summary>
    /// <typeparam name="TGraph">The graph type.</typeparam>
    /// <param name="graph">The graph instance (its operators' dependencies already in it).</param>
    /// <param name="configure">Devices, options, other graphs: the same builder <c>UseAgentDsl</c> gives.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="OptionsValidationException">An option is invalid (as a host's start would report).</exception>
    public static async Task<AgentSession<TGraph>> StartAsync<TGraph>(TGraph graph, Action<IAgentDslBuilder>? configure = null, CancellationToken cancellationToken = default)
        where TGraph : class, IAgentGraph<TGraph>
    {
        ArgumentNullException.ThrowIfNull(graph);
        var services = new ServiceCollection();
        services.AddSingleton(graph);
        var builder = services.AddAgentDsl().AddGraph<TGraph>();
        configure?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        var started = new List<IHostedService>();
        try
        {
            provider.GetService<IStartupValidator>()?.Validate();
            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(cancellationToken).ConfigureAwait(false);
                started.Add(hosted);
            }

            return new AgentSession<TGraph>(provider, started, provider.GetRequiredService<IAgentRunner<TGraph>>());
        }
        catch
        {
            await AgentSession<TGraph>.StopAsync(started, provider).ConfigureAwait(false);
            throw;
        }
    }
}
