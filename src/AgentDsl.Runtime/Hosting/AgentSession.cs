using AgentDsl.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentDsl;

/// <summary>
/// A started runtime around one graph (<see cref="AgentApp.StartAsync{TGraph}"/>). It is the graph's runner, so the
/// generated typed <c>RunAsync</c> applies to it directly; disposing it stops the runtime.
/// </summary>
/// <typeparam name="TGraph">The graph type.</typeparam>
public sealed class AgentSession<TGraph> : IAgentRunner<TGraph>, IAsyncDisposable
    where TGraph : class, IAgentGraph<TGraph>
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _started;
    private readonly IAgentRunner<TGraph> _runner;

    internal AgentSession(ServiceProvider provider, List<IHostedService> started, IAgentRunner<TGraph> runner)
    {
        _provider = provider;
        _started = started;
        _runner = runner;
    }

    /// <summary>The session's services (devices, the runtime, options).</summary>
    public IServiceProvider Services => _provider;

    /// <inheritdoc/>
    public AgentGraphStatistics Statistics => _runner.Statistics;

    /// <inheritdoc/>
    public Task<AgentRunResult> RunUntypedAsync(object?[] inputs, CancellationToken cancellationToken = default) =>
        _runner.RunUntypedAsync(inputs, cancellationToken);

    /// <inheritdoc/>
    public Task<AgentRunResult> RunUntypedAsync(object?[] inputs, AgentRequestOptions? options, CancellationToken cancellationToken = default) =>
        _runner.RunUntypedAsync(inputs, options, cancellationToken);

    /// <summary>Stops the runtime (its hosted services in reverse order: requests in flight drain) and releases its services.</summary>
    public ValueTask DisposeAsync() => StopAsync(_started, _provider);

    internal static async ValueTask StopAsync(List<IHostedService> started, ServiceProvider provider)
    {
        for (int i = started.Count - 1; i >= 0; i--)
        {
            await started[i].StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await provider.DisposeAsync().ConfigureAwait(false);
    }
}
