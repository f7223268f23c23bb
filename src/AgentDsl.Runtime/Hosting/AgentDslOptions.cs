using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>Runtime options, bound from the <c>AgentDsl</c> configuration section by <c>UseAgentDsl</c>.</summary>
public sealed class AgentDslOptions
{
    /// <summary>The configuration section: <c>AgentDsl</c>.</summary>
    public const string SectionName = "AgentDsl";

    /// <summary>Default <see cref="CpuMaxConcurrency"/>: 0, no limit beyond the thread pool's.</summary>
    public const int DefaultCpuMaxConcurrency = 0;

    /// <summary>How many nodes the managed CPU device runs at once; 0 means no limit beyond the thread pool's.</summary>
    [Range(0, 1_000_000)]
    public int CpuMaxConcurrency { get; set; } = DefaultCpuMaxConcurrency;

    /// <summary>Whether to log each node's completion at Debug level (off by default: it is per node, per request).</summary>
    public bool LogNodes { get; set; }
}

/// <summary>Validates <see cref="AgentDslOptions"/> at start-up (source-generated, no reflection).</summary>
[OptionsValidator]
public sealed partial class AgentDslOptionsValidator : IValidateOptions<AgentDslOptions>
{
}
