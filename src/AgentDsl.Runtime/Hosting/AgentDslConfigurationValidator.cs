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
/// A backend's subsection (<see cref="AgentDslConfigurationSection"/>, for example <c>AgentDsl:Onnx</c>) is checked against
/// its own options class.
/// </summary>
internal sealed class AgentDslConfigurationValidator(IConfiguration configuration, IEnumerable<AgentDslConfigurationSection> sections) : IValidateOptions<AgentDslOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentDslOptions options)
    {
        var errors = new List<string>();
        var backends = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in sections)
        {
            backends[section.Name] = section.OptionsType;
        }

        var root = new List<IConfigurationSection>();
        foreach (var child in configuration.GetChildren())
        {
            if (backends.TryGetValue(child.Key, out var type))
            {
                Check(child, type, errors);
            }
            else
            {
                root.Add(child);
            }
        }

        Check(root, typeof(AgentDslOptions), errors, backends.Keys);
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

        Check(section.GetChildren(), type, errors, []);
    }

    /// <summary>Checks <paramref name="children"/> against the properties of options class <paramref name="type"/> (and the backend subsections named <paramref name="also"/>, for the message).</summary>
    private static void Check(IEnumerable<IConfigurationSection> children, Type type, List<string> errors, IEnumerable<string> also)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in children)
        {
            if (properties.TryGetValue(child.Key, out var property))
            {
                Check(child, property.PropertyType, errors);
            }
            else
            {
                errors.Add($"{child.Path}: unknown configuration key '{child.Key}'; {type.Name} has {string.Join(", ", properties.Keys.Concat(also).Order(StringComparer.Ordinal))}.");
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
}
