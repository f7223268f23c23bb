using AgentDsl.Devices;
using AgentDsl.LlamaCpp;
using AgentDsl.Planning.Cost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>Registers the llama.cpp engine with the runtime.</summary>
public static class LlamaCppHosting
{
    /// <summary>
    /// Adds a llama.cpp engine (options from <c>AgentDsl:LlamaCpp</c>, then <paramref name="configure"/>): the model is
    /// loaded and its contexts created while the host starts (a missing or unloadable model fails the start, naming
    /// the path), each context a device <c>llama:{name}</c> serving LLM nodes. The application brings the native
    /// backend package (<c>LLamaSharp.Backend.Cpu</c>, or a GPU backend).
    /// </summary>
    /// <param name="builder">The AgentDsl builder.</param>
    /// <param name="configure">Changes to the options after configuration.</param>
    public static IAgentDslBuilder AddLlamaCpp(this IAgentDslBuilder builder, Action<LlamaCppOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<LlamaCppOptions>();
        if (builder.Configuration is not null)
        {
            options.Bind(builder.Configuration.GetSection(LlamaCppOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlamaCppOptions>, LlamaCppOptionsValidator>());
        options.ValidateOnStart();
        builder.Services.AddSingleton(new AgentDslConfigurationSection(LlamaCppOptions.SectionName, typeof(LlamaCppOptions)));
        builder.Services.TryAddSingleton(sp => new LlamaCppEngine(
            sp.GetRequiredService<IOptions<LlamaCppOptions>>(),
            sp.GetService<ILogger<LlamaCppEngine>>(),
            sp.GetService<CalibrationHistory>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceSource, LlamaCppEngine>(sp => sp.GetRequiredService<LlamaCppEngine>()));
        return builder;
    }
}
