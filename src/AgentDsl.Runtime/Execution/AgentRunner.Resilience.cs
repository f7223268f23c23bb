using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Diagnostics;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace AgentDsl.Execution;

/// <summary>Per-node resilience (Polly): the retry pipeline, per-device timeout and circuit-breaker pipelines, attempt timeouts cut to the deadline, and Polly's logging.</summary>
public sealed partial class AgentRunner<TGraph>
{
    private NodeResilience[] BuildResilience()
    {
        var provider = _services?.GetService<ResiliencePipelineProvider<string>>();
        var loggerFactory = _services?.GetService<ILoggerFactory>();
        var telemetry = loggerFactory is null ? null : PollyTelemetry(loggerFactory);
        var result = new NodeResilience[_definition.Nodes.Length];
        foreach (var node in _definition.Nodes)
        {
            var options = _options.Operators.GetValueOrDefault($"{_definition.Name}.{node.Operator}")
                ?? _options.Operators.GetValueOrDefault(node.Operator)
                ?? _options.Resilience;
            var timeout = options.Timeout ?? (_definition.Sla.HasLatencyBound ? _definition.Sla.Latency : null);
            ResiliencePipeline? retry = null;
            if (provider is not null && provider.TryGetPipeline($"{PipelineKeyPrefix}{_definition.Name}.{node.Operator}", out var custom))
            {
                retry = custom;
            }
            else if (node.Cost.SafeToRetry && options.MaxRetries > 0 && !node.Merge)
            {
                var builder = new ResiliencePipelineBuilder { Name = $"{PipelineKeyPrefix}{_definition.Name}.{node.Name}" };
                long delayTicks = (long)(options.RetryDelay.TotalSeconds * Stopwatch.Frequency);
                builder.AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.RetryDelay,
                    BackoffType = DelayBackoffType.Constant,

                    // Retries fit in the deadline: none starts once it has passed (or would pass during the delay).
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is { } ex && !(ex is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)
                        && TicksLeft(args.Context) > delayTicks),
                    OnRetry = args =>
                    {
                        _statistics.OnRetry();
                        AgentDslTelemetry.Retries.Add(1, _graphTag, new("agentdsl.node", node.Name), new("agentdsl.reason", args.Outcome.Exception is TimeoutRejectedException ? "timeout" : "failed"));
                        LogRetry(_definition.Name, node.Name, args.AttemptNumber, "its device", args.Outcome.Exception?.Message ?? "?");
                        return default;
                    },
                });
                if (telemetry is not null)
                {
                    builder.ConfigureTelemetry(telemetry);
                }

                retry = builder.Build();
            }

            result[node.Id] = new NodeResilience(options, timeout, retry, _queues.Length, telemetry);
        }

        return result;
    }

    /// <summary>
    /// Polly's telemetry for the runtime's pipelines: its metrics, and its logs of what is worth a log (timeouts, circuit
    /// breakers) — not an entry per execution or attempt. Attempts and retries are Debug events (the runtime logs each
    /// retry itself, event 1044, and each failed request, 1003), and Polly's loggers see Information and above only, which
    /// also leaves out its per-execution "pipeline executing/executed" Debug entries.
    /// </summary>
    private static TelemetryOptions PollyTelemetry(ILoggerFactory loggerFactory) => new()
    {
        LoggerFactory = new InformationAndAbove(loggerFactory),
        SeverityProvider = static args => args.Event.EventName is "ExecutionAttempt" or "OnRetry" ? ResilienceEventSeverity.Debug : args.Event.Severity,
    };

    /// <summary>Stopwatch ticks left until the deadline carried in <paramref name="context"/> (long.MaxValue without one).</summary>
    private static long TicksLeft(ResilienceContext context) =>
        context.Properties.TryGetValue(DeadlineKey, out long deadline) && deadline != long.MaxValue ? deadline - Stopwatch.GetTimestamp() : long.MaxValue;

    /// <summary>An attempt's timeout: <paramref name="timeout"/>, and for a retry at most the time left to the deadline (at least 1 ms).</summary>
    private static TimeSpan AttemptTimeout(TimeSpan timeout, ResilienceContext context)
    {
        if (!context.Properties.TryGetValue(AttemptKey, out int attempt) || attempt == 0 || TicksLeft(context) is var left && left == long.MaxValue)
        {
            return timeout;
        }

        var remaining = TimeSpan.FromSeconds(Math.Max(left, 0) / (double)Stopwatch.Frequency);
        return remaining < timeout ? TimeSpan.FromMilliseconds(Math.Max(1, remaining.TotalMilliseconds)) : timeout;
    }

    /// <summary>Whether a failure counts against the device (the breaker): everything but the request's own cancellation.</summary>
    private static bool CountsAgainstDevice(Exception exception, CancellationToken token) =>
        exception is TimeoutRejectedException or not OperationCanceledException || !token.IsCancellationRequested;

    /// <summary>The resilience of one node: its retry pipeline, and per device a timeout + circuit breaker pipeline (built on first use).</summary>
    private sealed class NodeResilience(OperatorResilienceOptions options, TimeSpan? timeout, ResiliencePipeline? retry, int devices, TelemetryOptions? telemetry)
    {
        private static readonly ResiliencePipeline NoPipeline = new ResiliencePipelineBuilder().Build();

        private readonly ResiliencePipeline?[] _devicePipelines = new ResiliencePipeline?[devices];
        private readonly bool _needsDevicePipeline = options.CircuitBreaker || timeout is not null;

        public OperatorResilienceOptions Options { get; } = options;

        public ResiliencePipeline? Retry { get; } = retry;

        public ResiliencePipeline? DevicePipeline(AgentRunner<TGraph> runner, NodeDefinition node, int device)
        {
            if (!_needsDevicePipeline || node.Merge)
            {
                return null;
            }

            var pipeline = Volatile.Read(ref _devicePipelines[device]);
            if (pipeline is not null)
            {
                return pipeline == NoPipeline ? null : pipeline;
            }

            return Build(runner, node, device);
        }

        /// <summary>Builds the device's pipeline on first use (apart from the lookup: its lambda's closure would be allocated on every call).</summary>
        private ResiliencePipeline? Build(AgentRunner<TGraph> runner, NodeDefinition node, int device)
        {
            // On the managed CPU a failure is the operator's, not the device's: no breaker there. A synchronous operator
            // cannot be interrupted, so a timeout only applies to asynchronous ones.
            bool cpu = runner._queues[device].Device is CpuDevice;
            bool breaker = Options.CircuitBreaker && !cpu;
            var attemptTimeout = cpu && !node.IsAsync ? null : timeout;
            if (!breaker && attemptTimeout is null)
            {
                Volatile.Write(ref _devicePipelines[device], NoPipeline);
                return null;
            }

            var builder = new ResiliencePipelineBuilder { Name = $"{PipelineKeyPrefix}{runner._definition.Name}.{node.Name}", InstanceName = runner._queues[device].Name };
            if (breaker)
            {
                builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    FailureRatio = Options.FailureRatio,
                    MinimumThroughput = Options.MinimumThroughput,
                    SamplingDuration = Options.SamplingDuration,
                    BreakDuration = Options.BreakDuration,
                    ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } ex && CountsAgainstDevice(ex, args.Context.CancellationToken)),
                    OnOpened = args =>
                    {
                        runner.TakeOut(device, args.BreakDuration, $"the circuit breaker of {node.Describe()} opened after {args.Outcome.Exception?.GetType().Name}: {args.Outcome.Exception?.Message}");
                        return default;
                    },
                });
            }

            if (attemptTimeout is { } t)
            {
                // A retry gets at most the time left to the request's deadline (the first attempt its whole timeout).
                builder.AddTimeout(new TimeoutStrategyOptions
                {
                    Timeout = t,
                    TimeoutGenerator = args => ValueTask.FromResult(AttemptTimeout(t, args.Context)),
                });
            }

            if (telemetry is not null)
            {
                builder.ConfigureTelemetry(telemetry);
            }

            var pipeline = builder.Build();
            return Interlocked.CompareExchange(ref _devicePipelines[device], pipeline, null) ?? pipeline;
        }
    }
}

/// <summary>A logger factory whose loggers pass on Information and above only (for Polly's per-execution Debug entries).</summary>
internal sealed class InformationAndAbove(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The host owns the inner factory.
    }

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
