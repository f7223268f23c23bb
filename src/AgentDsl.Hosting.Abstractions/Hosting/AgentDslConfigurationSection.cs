namespace AgentDsl.Hosting;

/// <summary>
/// A subsection of the <c>AgentDsl</c> configuration section that a backend binds to its own options class (for example
/// <c>Onnx</c> to <c>OnnxOptions</c>). Register one as a singleton when adding the backend: the runtime's check of unknown
/// configuration keys then checks the keys under <c>AgentDsl:{Name}</c> against <see cref="OptionsType"/>'s properties
/// instead of reporting the subsection itself as unknown.
/// </summary>
/// <param name="Name">The subsection's key under <c>AgentDsl</c> (compared ignoring case, as configuration keys are).</param>
/// <param name="OptionsType">The class the subsection binds to.</param>
public sealed record AgentDslConfigurationSection(string Name, Type OptionsType);
