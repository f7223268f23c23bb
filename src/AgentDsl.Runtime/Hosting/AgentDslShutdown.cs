using AgentDsl.Orchestration;
using Microsoft.Extensions.Hosting;

namespace AgentDsl.Hosting;

/// <summary>
/// Graceful shutdown: when the host stops, new requests are rejected (<c>ShuttingDown</c>) and those in flight are
/// drained within the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>); any still running when it runs
/// out are cancelled and end as failed with that reason.
/// </summary>
internal sealed class AgentDslShutdown(AgentRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => runtime.DrainAsync(cancellationToken);
}
