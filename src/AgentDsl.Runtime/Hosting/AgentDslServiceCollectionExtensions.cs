using AgentDsl.Generated;
using AgentDsl;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Kernels;
using AgentDsl.Orchestration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AgentDsl runtime.</summary>
public static class AgentDslServiceCollectionExtensions
{
    /// <summary>
    /// Adds the AgentDsl runtime: the managed CPU device, the default placement policy and validated
    /// options. Idempotent: repeated calls configure one runtime.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="AgentDslOptions"/>.</param>
    /// <returns>A builder to add graphs and devices with.</returns>
    public static IAgentDslBuilder AddAgentDsl(this IServiceCollection services, Action<AgentDslOptions>? configure = null) =>
        AddAgentDslCore(services, configuration: null, configure);

    /// <summary>Adds a graph: its class (as a singleton, unless already registered) and an <see cref="IAgentRunner{TGraph}"/>.</summary>
    /// <typeparam name="TGraph">An <see cref="AgentGraphAttribute"/> class; the source generator makes it implement <see cref="IAgentGraph{TSelf}"/>.</typeparam>
    /// <param name="builder">The AgentDsl builder.</param>
    /// <returns>The builder.</returns>
    public static IAgentDslBuilder AddGraph<TGraph>(this IAgentDslBuilder builder)
        where TGraph : class, IAgentGraph<TGraph>
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TGraph>();
        builder.Services.TryAddSingleton<IAgentRunner<TGraph>, AgentRunner<TGraph>>();
        return builder;
    }

    /// <summary>Adds a device beside the managed CPU device. Placement considers devices in registration order.</summary>
    /// <param name="builder">The AgentDsl builder.</param>
    /// <param name="device">The device.</param>
    /// <returns>The builder.</returns>
    public static IAgentDslBuilder AddDevice(this IAgentDslBuilder builder, IAgentDevice device)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(device);
        builder.Services.AddSingleton(device);
        return builder;
    }

    /// <summary>
    /// Adds a remote LLM endpoint as a device: the <see cref="Microsoft.Extensions.AI.IChatClient"/> from
    /// <paramref name="client"/> (or the one registered in dependency injection) runs the graph's <c>Llm</c> operators
    /// that take a string prompt and return a string, with its own queue and concurrency.
    /// </summary>
    /// <param name="builder">The AgentDsl builder.</param>
    /// <param name="name">The device name, unique among devices (for example <c>llm:openai</c>).</param>
    /// <param name="client">Creates the chat client; null resolves <c>IChatClient</c> from the container.</param>
    /// <param name="configure">Concurrency, token prices, system prompt, chat options.</param>
    /// <returns>The builder.</returns>
    public static IAgentDslBuilder AddChatClientDevice(
        this IAgentDslBuilder builder,
        string name,
        Func<IServiceProvider, Microsoft.Extensions.AI.IChatClient>? client = null,
        Action<ChatClientDeviceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new ChatClientDeviceOptions();
        configure?.Invoke(options);
        builder.Services.AddSingleton<IAgentDevice>(sp => new ChatClientDevice(
            name,
            client?.Invoke(sp) ?? sp.GetRequiredService<Microsoft.Extensions.AI.IChatClient>(),
            options));
        return builder;
    }

    /// <summary>
    /// Registers the batch form of a <c>[Operator(Batchable = true)]</c> operator of <typeparamref name="TGraph"/>: the
    /// runtime then groups the operator's invocations from concurrent requests (up to
    /// <see cref="AgentDsl.Batching.BatchOptions.MaxBatchSize"/>, waiting at most a bound derived from the SLA and each
    /// request's slack) and calls <paramref name="batch"/> once per group on the node's device.
    /// </summary>
    /// <typeparam name="TGraph">The graph class.</typeparam>
    /// <typeparam name="TInput">The operator's single input type.</typeparam>
    /// <typeparam name="TResult">The operator's result type (the value of a task result).</typeparam>
    /// <param name="builder">The AgentDsl builder.</param>
    /// <param name="operatorName">The operator's method name (every node calling it is batched).</param>
    /// <param name="batch">Computes one result per input, in order.</param>
    /// <param name="configure">Batch size and maximum wait.</param>
    /// <returns>The builder.</returns>
    public static IAgentDslBuilder AddBatch<TGraph, TInput, TResult>(
        this IAgentDslBuilder builder,
        string operatorName,
        Func<TGraph, IReadOnlyList<TInput>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> batch,
        Action<AgentDsl.Batching.BatchOptions>? configure = null)
        where TGraph : class, IAgentGraph<TGraph>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorName);
        ArgumentNullException.ThrowIfNull(batch);
        var options = new AgentDsl.Batching.BatchOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1, nameof(configure));
        if (options.MaxWait is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(configure));
        }

        builder.Services.AddSingleton<AgentDsl.Batching.OperatorBatch>(new AgentDsl.Batching.OperatorBatch<TGraph>(new OperatorBatchForm<TGraph, TInput, TResult>(operatorName, batch), options));
        return builder;
    }

    internal static IAgentDslBuilder AddAgentDslCore(IServiceCollection services, IConfiguration? configuration, Action<AgentDslOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var marker = services.FirstOrDefault(d => d.ServiceType == typeof(AgentDslMarker))?.ImplementationInstance as AgentDslMarker;
        if (marker is null)
        {
            marker = new AgentDslMarker();
            services.AddSingleton(marker);
            services.AddLogging();
            var options = services.AddOptions<AgentDslOptions>();
            if (configuration is not null)
            {
                options.Bind(configuration);
                services.AddSingleton<IValidateOptions<AgentDslOptions>>(sp => new AgentDslConfigurationValidator(configuration, sp.GetServices<AgentDslConfigurationSection>()));
            }

            options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentDslOptions>, AgentDslOptionsValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentDslOptions>, AgentDslOptionsEntriesValidator>());
            services.TryAddSingleton<CpuDevice>();
            services.AddSingleton<IAgentDevice>(sp => sp.GetRequiredService<CpuDevice>());
            services.TryAddSingleton<IPlacementPolicy, PlannedPlacementPolicy>();
            services.TryAddSingleton<AgentRuntime>();
            services.TryAddSingleton(sp => sp.GetRequiredService<AgentRuntime>().Calibration);
            services.AddHostedService<AgentDslShutdown>();
            services.TryAddSingleton(sp => new KernelDevices(
                sp.GetServices<IKernelDevice>().Concat(sp.GetServices<IDeviceSource>().SelectMany(s => s.KernelDevices)),
                KernelDeviceLog.OnDeviceFailed(sp.GetRequiredService<ILoggerFactory>().CreateLogger<KernelDevices>())));
            services.AddHostedService<KernelWarmup>();
        }
        else if (configuration is not null)
        {
            services.AddOptions<AgentDslOptions>().Bind(configuration);
            services.AddSingleton<IValidateOptions<AgentDslOptions>>(sp => new AgentDslConfigurationValidator(configuration, sp.GetServices<AgentDslConfigurationSection>()));
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new AgentDslBuilder(services, configuration);
    }

    private sealed class AgentDslMarker;

    private sealed class AgentDslBuilder(IServiceCollection services, IConfiguration? configuration) : IAgentDslBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IConfiguration? Configuration { get; } = configuration;
    }
}
