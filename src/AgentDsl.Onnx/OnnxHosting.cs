using Microsoft.Extensions.DependencyInjection;
using AgentDsl.Devices;
using AgentDsl.Hosting;
using AgentDsl.Onnx;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentDsl.Onnx
{
    /// <summary>Creates the ONNX device (its session) while the host starts, so that a wrong provider or a bad model fails the start, not the first request.</summary>
    internal sealed class OnnxDeviceStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<OnnxEmbeddingDevice>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Registers the ONNX Runtime device.</summary>
    public static class OnnxAgentDslBuilderExtensions
    {
        /// <summary>
        /// Adds ONNX Runtime as a device: <see cref="OnnxEmbeddingDevice"/> runs the graphs' text → embedding <c>Model</c>
        /// operators that name its model, batching concurrent requests. Its options are bound from <c>AgentDsl:Onnx</c>
        /// (with <c>UseAgentDsl</c>) and <paramref name="configure"/>, validated at start, and its session is created while
        /// the host starts. Idempotent.
        /// </summary>
        /// <param name="builder">The AgentDsl builder.</param>
        /// <param name="configure">Configures <see cref="OnnxOptions"/> after the configuration section.</param>
        /// <returns>The builder.</returns>
        public static IAgentDslBuilder AddOnnxDevice(this IAgentDslBuilder builder, Action<OnnxOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(builder);
            var services = builder.Services;
            var options = services.AddOptions<OnnxOptions>();
            if (builder.Configuration is not null)
            {
                options.Bind(builder.Configuration.GetSection(OnnxOptions.SectionName));
            }

            if (configure is not null)
            {
                options.Configure(configure);
            }

            if (!services.Any(d => d.ServiceType == typeof(OnnxDeviceStartup)))
            {
                options.ValidateOnStart();
                services.AddSingleton(new AgentDslConfigurationSection(OnnxOptions.SectionName, typeof(OnnxOptions)));
                services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnnxOptions>, OnnxOptionsValidator>());
                services.TryAddSingleton<OnnxEmbeddingDevice>();
                services.AddSingleton<IAgentDevice>(sp => sp.GetRequiredService<OnnxEmbeddingDevice>());
                services.AddSingleton<OnnxDeviceStartup>();
                services.AddHostedService(sp => sp.GetRequiredService<OnnxDeviceStartup>());
            }

            return builder;
        }
    }
}
