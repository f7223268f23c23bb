using System.Collections.Concurrent;
using AgentDsl.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Runtime.Tests;

/// <summary>Builds a started generic host with the AgentDsl runtime and the given graphs.</summary>
internal static class TestHost
{
    public static async Task<IHost> StartAsync(Action<IServiceCollection> configure, CapturingLoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        }

        configure(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static IAgentRunner<T> Runner<T>(this IHost host)
        where T : class, IAgentGraph<T> => host.Services.GetRequiredService<IAgentRunner<T>>();
}

internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, Exception? Exception, string Category)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception, category));
    }
}
