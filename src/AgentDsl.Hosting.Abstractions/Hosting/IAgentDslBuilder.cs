using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentDsl.Hosting;

/// <summary>Configures the AgentDsl runtime: add graphs, devices and policies through extension methods.</summary>
public interface IAgentDslBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }

    /// <summary>The <c>AgentDsl</c> configuration section, when the runtime was added with <c>UseAgentDsl</c>.</summary>
    IConfiguration? Configuration { get; }
}
