using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
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

/// <summary>
/// Per-node resilience of one graph (Polly): each node's retry pipeline (a user-registered one, or one from its
/// operator's options for an operator safe to retry), per device a timeout and circuit-breaker pipeline built on first
/// use, attempt timeouts cut to the request's deadline, and Polly's logging.
/// </summary>
internal sealed class ResiliencePipelines
{
    /// <summary>The prefix of a user-registered Polly pipeline that replaces an operator's retry pipeline: <c>agentdsl:{graph}.{operator}</c>.</summary>
    public const string KeyPrefix = "agentdsl:";

    /// <summary>The request's deadline (Stopwatch ticks), carried to the retry and timeout strategies.</summary>
    internal static readonly ResiliencePropertyKey<long> DeadlineKey = new("agentdsl.deadline");

    /// <summary>The attempt number, carried to the timeout strategy.</summary>
    internal static readonly ResiliencePropertyKey<int> AttemptKey = new("agentdsl.attempt");

    private readonly GraphDefinition _definition;
    private readonly DeviceQueue[] _queues;
    private readonly KeyValuePair<string, object?> _graphTag;
    private readonly Action<int, TimeSpan, string> _takeOut;
    private readonly NodeResilience[] _nodes;

    /// <summary>Makes each node's retry pipeline; device pipelines are made on first use.</summary>
    /// <param name="definition">The graph.</param>
    /// <param name="queues">The device queues.</param>
    /// <param name="options">The runtime's options (per operator, or the default).</param>
    /// <param name="services">Where a user-registered pipeline and the logger factory are found (none: no telemetry, no custom pipelines).</param>
    /// <param name="statistics">Counts retries.</param>
    /// <param name="logger">Logs retries.</param>
    /// <param name="graphTag">The metric tag of the graph.</param>
    /// <param name="takeOut">Takes a device out for the graph (device, for how long, why) when a breaker opens.</param>
    public ResiliencePipelines(
        GraphDefinition definition,
        DeviceQueue[] queues,
        AgentDslOptions options,
        IServiceProvider? services,
        AgentGraphStatistics statistics,
        ILogger logger,
        KeyValuePair<string, object?> graphTag,
        Action<int, TimeSpan, string> takeOut)
    {
        _definition = definition;
        _queues = queues;
        _graphTag = graphTag;
        _takeOut = takeOut;
        var provider = services?.GetService<ResiliencePipelineProvider<string>>();
        var loggerFactory = services?.GetService<ILoggerFactory>();
        var telemetry = loggerFactory is null ? null : PollyTelemetry(loggerFactory);
        _nodes = new NodeResilience[definition.Nodes.Length];
        foreach (var node in definition.Nodes)
        {
            var operatorOptions = options.Operators.GetValueOrDefault($"{definition.Name}.{node.Operator}")
                ?? options.Operators.GetValueOrDefault(node.Operator)
                ?? options.Resilience;
            var timeout = operatorOptions.Timeout ?? (definition.Sla.HasLatencyBound ? definition.Sla.Latency : null);
            ResiliencePipeline? retry = null;
            if (provider is not null && provider.TryGetPipeline($"{KeyPrefix}{definition.Name}.{node.Operator}", out var custom))
            {
                retry = custom;
            }
            else if (node.Cost.SafeToRetry && operatorOptions.MaxRetries > 0 && !node.Merge)
            {
                var builder = new ResiliencePipelineBuilder { Name = $"{KeyPrefix}{definition.Name}.{node.Name}" };
                long delayTicks = (long)(operatorOptions.RetryDelay.TotalSeconds * Stopwatch.Frequency);
                builder.AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = operatorOptions.MaxRetries,
                    Delay = operatorOptions.RetryDelay,
                    BackoffType = DelayBackoffType.Constant,

                    // Retries fit in the deadline: none starts once it has passed (or would pass during the delay).
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is { } ex && !(ex is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)
                        && TicksLeft(args.Context) > delayTicks),
                    OnRetry = args =>
                    {
                        statistics.OnRetry();
                        AgentDslTelemetry.Retries.Add(1, graphTag, new("agentdsl.node", node.Name), new("agentdsl.reason", args.Outcome.Exception is TimeoutRejectedException ? "timeout" : "failed"));
                        RunnerLog.Retry(logger, definition.Name, node.Name, args.AttemptNumber, "its device", args.Outcome.Exception?.Message ?? "?");
                        return default;
                    },
                });
                if (telemetry is not null)
                {
                    builder.ConfigureTelemetry(telemetry);
                }

                retry = builder.Build();
            }

            _nodes[node.Id] = new NodeResilience(this, operatorOptions, timeout, retry, queues.Length, telemetry);
        }
    }

    /// <summary>The node's retry pipeline, or null when it is not retried.</summary>
    public ResiliencePipeline? RetryOf(int nodeId) => _nodes[nodeId].Retry;

    /// <summary>The resilience options of the node's operator.</summary>
    public OperatorResilienceOptions OptionsOf(int nodeId) => _nodes[nodeId].Options;

    /// <summary>The node's timeout and circuit-breaker pipeline on the device (made on first use), or null when it needs none there.</summary>
    public ResiliencePipeline? DevicePipeline(NodeDefinition node, int device) => _nodes[node.Id].DevicePipeline(node, device);

    /// <summary>Runs the work through the device pipeline, with the request's deadline and the attempt number in its context.</summary>
    public async ValueTask RunThroughAsync(ResiliencePipeline pipeline, DeviceQueue queue, NodeWork work, long deadline, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(DeadlineKey, deadline);
        context.Properties.Set(AttemptKey, work.Attempt);
        try
        {
            await pipeline.ExecuteAsync(static (ctx, s) => s.Owner.RunAbandonableAsync(s.Queue, s.Work, ctx.CancellationToken), context, (Owner: this, Queue: queue, Work: work)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Stopwatch ticks left until the deadline carried in <paramref name="context"/> (long.MaxValue without one).</summary>
    internal static long TicksLeft(ResilienceContext context) =>
        context.Properties.TryGetValue(DeadlineKey, out long deadline) && deadline != long.MaxValue ? deadline - Stopwatch.GetTimestamp() : long.MaxValue;

    /// <summary>An attempt's timeout: <paramref name="timeout"/>, and for a retry at most the time left to the deadline (at least 1 ms).</summary>
    internal static TimeSpan AttemptTimeout(TimeSpan timeout, ResilienceContext context)
    {
        if (!context.Properties.TryGetValue(AttemptKey, out int attempt) || attempt == 0 || TicksLeft(context) is var left && left == long.MaxValue)
        {
            return timeout;
        }

        var remaining = TimeSpan.FromSeconds(Math.Max(left, 0) / (double)Stopwatch.Frequency);
        return remaining < timeout ? TimeSpan.FromMilliseconds(Math.Max(1, remaining.TotalMilliseconds)) : timeout;
    }

    /// <summary>Whether a failure counts against the device (the breaker): everything but the request's own cancellation.</summary>
    internal static bool CountsAgainstDevice(Exception exception, CancellationToken token) =>
        exception is TimeoutRejectedException or not OperationCanceledException || !token.IsCancellationRequested;

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

    /// <summary>Runs the work; when the attempt's token fires (its timeout, or the request ending) the work is abandoned, not awaited.</summary>
    private async ValueTask RunAbandonableAsync(DeviceQueue queue, NodeWork work, CancellationToken cancellationToken)
    {
        var pending = queue.Device.RunAsync(work, cancellationToken);
        if (pending.IsCompleted)
        {
            await pending.ConfigureAwait(false);
            return;
        }

        var task = pending.AsTask();
        try
        {
            await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!task.IsCompleted)
        {
            AgentDslTelemetry.Abandoned.Add(1, _graphTag, queue.Tag);
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>The resilience of one node: its retry pipeline, and per device a timeout + circuit breaker pipeline (built on first use).</summary>
    private sealed class NodeResilience(ResiliencePipelines owner, OperatorResilienceOptions options, TimeSpan? timeout, ResiliencePipeline? retry, int devices, TelemetryOptions? telemetry)
    {
        private static readonly ResiliencePipeline NoPipeline = new ResiliencePipelineBuilder().Build();

        private readonly ResiliencePipeline?[] _devicePipelines = new ResiliencePipeline?[devices];
        private readonly bool _needsDevicePipeline = options.CircuitBreaker || timeout is not null;

        public OperatorResilienceOptions Options { get; } = options;

        public ResiliencePipeline? Retry { get; } = retry;

        public ResiliencePipeline? DevicePipeline(NodeDefinition node, int device)
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

            return Build(node, device);
        }

        /// <summary>Builds the device's pipeline on first use (apart from the lookup: its lambda's closure would be allocated on every call).</summary>
        private ResiliencePipeline? Build(NodeDefinition node, int device)
        {
            // On the managed CPU a failure is the operator's, not the device's: no breaker there. A synchronous operator
            // cannot be interrupted, so a timeout only applies to asynchronous ones.
            bool cpu = owner._queues[device].Device is CpuDevice;
            bool breaker = Options.CircuitBreaker && !cpu;
            var attemptTimeout = cpu && !node.IsAsync ? null : timeout;
            if (!breaker && attemptTimeout is null)
            {
                Volatile.Write(ref _devicePipelines[device], NoPipeline);
                return null;
            }

            var builder = new ResiliencePipelineBuilder { Name = $"{KeyPrefix}{owner._definition.Name}.{node.Name}", InstanceName = owner._queues[device].Name };
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
                        owner._takeOut(device, args.BreakDuration, $"the circuit breaker of {node.Describe()} opened after {args.Outcome.Exception?.GetType().Name}: {args.Outcome.Exception?.Message}");
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
