namespace AgentDsl.Hosting;

/// <summary>
/// A section under <c>AgentDsl</c> that an extension binds (for example <c>OpenCL</c>, <c>LlamaCpp</c>): register one
/// as a singleton and the runtime's start-up check of configuration keys checks that section's keys against
/// <see cref="OptionsType"/> instead of reporting the section itself as unknown.
/// </summary>
/// <param name="Name">The key under <c>AgentDsl</c>.</param>
/// <param name="OptionsType">The options class the section binds to.</param>
public sealed record AgentDslConfigurationSection(string Name, Type OptionsType);
