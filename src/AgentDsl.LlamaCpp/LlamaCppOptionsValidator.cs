using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.LlamaCpp;

/// <summary>Checks <see cref="LlamaCppOptions"/> at start-up against the ranges declared on it, naming each bad key's configuration path.</summary>
internal sealed class LlamaCppOptionsValidator : IValidateOptions<LlamaCppOptions>
{
    public ValidateOptionsResult Validate(string? name, LlamaCppOptions options)
    {
        var errors = new List<string>();
        Check(options, "AgentDsl:LlamaCpp", errors);
        foreach (var (key, context) in options.Contexts)
        {
            Check(context, $"AgentDsl:LlamaCpp:Contexts:{key}", errors);
        }

        if (options.ModelPath is null && options.SeededShape is not ("Small97M" or "Tiny"))
        {
            errors.Add($"AgentDsl:LlamaCpp:SeededShape: '{options.SeededShape}' is not a seeded shape (Small97M, Tiny).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(object options, string path, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            errors.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
