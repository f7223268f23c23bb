using AgentDsl.Agents;
using AgentDsl.Devices;
using Microsoft.Agents.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentDsl.Hosting;

/// <summary>Registers Microsoft Agent Framework agents as AgentDsl devices.</summary>
public static class AgentsHosting
{
    /// <summary>Adds an <see cref="AIAgent"/> as the device <paramref name="name"/> serving prompt-to-text LLM nodes (<see cref="AIAgentDevice"/>).</summary>
    /// <param name="builder">The AgentDsl builder.</param>
    /// <param name="name">The device name.</param>
    /// <param name="agent">Creates the agent from the services.</param>
    /// <param name="model">Serve only nodes naming this model; null: all.</param>
    public static IAgentDslBuilder AddAIAgentDevice(this IAgentDslBuilder builder, string name, Func<IServiceProvider, AIAgent> agent, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(agent);
        builder.Services.AddSingleton<IAgentDevice>(sp => new AIAgentDevice(name, agent(sp), model));
        return builder;
    }
}
