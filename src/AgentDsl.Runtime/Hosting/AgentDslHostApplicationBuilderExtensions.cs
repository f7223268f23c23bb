using AgentDsl.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds the AgentDsl runtime to a host, bound to the <c>AgentDsl</c> configuration section.</summary>
public static class AgentDslHostApplicationBuilderExtensions
{
    /// <summary>Adds the AgentDsl runtime with options from configuration section <see cref="AgentDslOptions.SectionName"/>.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Adds graphs and devices.</param>
    /// <returns>The host builder.</returns>
    public static IHostApplicationBuilder UseAgentDsl(this IHostApplicationBuilder builder, Action<IAgentDslBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var agentDsl = AgentDslServiceCollectionExtensions.AddAgentDslCore(
            builder.Services, builder.Configuration.GetSection(AgentDslOptions.SectionName), configure: null);
        configure?.Invoke(agentDsl);
        return builder;
    }
}
