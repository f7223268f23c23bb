using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AgentDsl.Hosting;

/// <summary>
/// Fails start-up on a key under the <c>AgentDsl</c> configuration section that binds to nothing (a misspelt option,
/// say <c>AgentDsl:MaxConcurency</c>), naming its path and the keys allowed there. Keys of the dictionaries keyed by
/// your names (<c>Devices</c>, <c>Operators</c>, <c>Batching</c>) may be anything; the keys inside each entry are checked.
/// </summary>
internal sealed class AgentDslConfigurationValidator(IConfiguration configuration, IEnumerable<AgentDslConfigurationSection> extensions) : IValidateOptions<AgentDslOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentDslOptions options)
    {
        var errors = new List<string>();
        var sections = extensions.DistinctBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(e => e.Name, e => e.OptionsType, StringComparer.OrdinalIgnoreCase);
        foreach (var (section, type) in sections)
        {
            Check(configuration.GetSection(section), type, errors); // an extension's section, checked against its own options
        }

        Check(new SkipSections(configuration, sections.Keys), typeof(AgentDslOptions), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Checks the children of <paramref name="section"/> against what <paramref name="type"/> binds.</summary>
    private static void Check(IConfiguration section, Type type, List<string> errors)
    {
        if (IsValue(type))
        {
            return; // a value: the binder reports what does not convert
        }

        if (ElementType(type) is { } element)
        {
            foreach (var entry in section.GetChildren())
            {
                Check(entry, element, errors); // a dictionary's keys (your names) or a list's indexes
            }

            return;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (properties.TryGetValue(child.Key, out var property))
            {
                Check(child, property.PropertyType, errors);
            }
            else
            {
                errors.Add($"{child.Path}: unknown configuration key '{child.Key}'; {type.Name} has {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}.");
            }
        }
    }

    private static bool IsValue(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));
    }

    /// <summary>The value type of a dictionary or the element type of a collection; null for an options class.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var generic = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            ?? type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return generic?.GetGenericArguments()[^1];
    }

    /// <summary>The <c>AgentDsl</c> section without the extensions' sections (checked on their own).</summary>
    private sealed class SkipSections(IConfiguration inner, IEnumerable<string> skipped) : IConfiguration
    {
        private readonly HashSet<string> _skipped = new(skipped, StringComparer.OrdinalIgnoreCase);

        public string? this[string key] { get => inner[key]; set => inner[key] = value; }

        public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren().Where(c => !_skipped.Contains(c.Key));

        public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => inner.GetReloadToken();

        public IConfigurationSection GetSection(string key) => inner.GetSection(key);
    }
}
