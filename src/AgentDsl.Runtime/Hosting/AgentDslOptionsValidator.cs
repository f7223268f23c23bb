using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>Validates <see cref="AgentDslOptions"/> at start-up (source-generated, no reflection).</summary>
[OptionsValidator]
public sealed partial class AgentDslOptionsValidator : IValidateOptions<AgentDslOptions>
{
}
