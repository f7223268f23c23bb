using System.Runtime.CompilerServices;
using AgentDsl.Hosting;
using AgentDsl.Planning;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Devices;

/// <summary>
/// The figures the cost model uses for each device in service, first that applies:
/// <list type="number">
/// <item><c>AgentDsl:Devices:&lt;name&gt;:Catalog</c>: that device type of the hardware profile, else of the shipped catalog;</item>
/// <item>the device's own <see cref="DeviceDescriptor.Figures"/> (an OpenCL device's queried figures, the CPU's);</item>
/// <item>the hardware profile's device type of the device's kind, when the profile has exactly one of that kind;</item>
/// <item>none: the device is placed on measurements and the prior.</item>
/// </list>
/// </summary>
internal sealed class DeviceFigureSource
{
    private static readonly ConditionalWeakTable<AgentDslOptions, DeviceFigureSource> Cache = [];

    private readonly AgentDslOptions _options;
    private readonly HardwareProfile? _profile;

    private DeviceFigureSource(AgentDslOptions options)
    {
        _options = options;
        _profile = options.HardwareProfile is { Length: > 0 } path ? HardwareProfile.Load(Path.GetFullPath(path)) : null;
    }

    /// <summary>The source for <paramref name="options"/> (the profile read once per options instance).</summary>
    /// <exception cref="CatalogException">The profile is malformed; the message names the file, the entry and the field.</exception>
    /// <exception cref="IOException">The profile cannot be read.</exception>
    public static DeviceFigureSource Of(AgentDslOptions options) => Cache.GetValue(options, o => new DeviceFigureSource(o));

    /// <summary>Why <paramref name="options"/>' profile or catalog names cannot be used, or null when they can.</summary>
    public static string? Problem(AgentDslOptions options)
    {
        DeviceFigureSource source;
        try
        {
            source = Of(options);
        }
        catch (Exception ex) when (ex is CatalogException or IOException or UnauthorizedAccessException)
        {
            return $"{AgentDslOptions.SectionName}:{nameof(AgentDslOptions.HardwareProfile)}: {ex.Message}";
        }

        foreach (var (name, device) in options.Devices)
        {
            if (device.Catalog is { } type && source.Find(type) is null)
            {
                return $"{AgentDslOptions.SectionName}:Devices:{name}:{nameof(DeviceOptions.Catalog)}: no device type '{type}' in the hardware profile or the catalog. "
                    + $"Known: {string.Join(", ", source.Types().Order(StringComparer.Ordinal))}.";
            }
        }

        return null;
    }

    /// <summary>The figures of <paramref name="device"/>, or null when nothing gives any.</summary>
    public DeviceFigures? For(DeviceDescriptor device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (_options.DeviceOptionsFor(device.Name)?.Catalog is { } type && Find(type) is { } named)
        {
            return CostChain.ToFigures(named.Spec, named.Source);
        }

        if (device.Figures is { } own)
        {
            return own;
        }

        var ofKind = _profile?.Devices.Where(d => d.Spec.Kind == device.Kind).Select(d => d.Spec).Distinct().ToList();
        return ofKind is [var only] ? CostChain.ToFigures(only, $"profile {_options.HardwareProfile}: {only.Name}") : null;
    }

    private (DeviceSpec Spec, string Source)? Find(string type)
    {
        if (_profile?.Devices.FirstOrDefault(d => string.Equals(d.Spec.Name, type, StringComparison.OrdinalIgnoreCase)).Spec is { } inProfile)
        {
            return (inProfile, $"profile {_options.HardwareProfile}: {inProfile.Name}");
        }

        return HardwareCatalog.Default.Contains(type) ? (HardwareCatalog.Default[type], $"catalog {HardwareCatalog.Default[type].Name}") : null;
    }

    private IEnumerable<string> Types() =>
        HardwareCatalog.Default.Devices.Select(d => d.Name).Concat(_profile?.Devices.Select(d => d.Spec.Name) ?? []).Distinct(StringComparer.OrdinalIgnoreCase);
}
