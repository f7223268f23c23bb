
namespace AgentDsl.Planning.Catalog;

/// <summary>
/// The hardware catalog: device types with published figures and their sources. The default catalog
/// ships inside the package (<c>hardware-catalog.json</c>); <see cref="Load(string)"/> reads one of
/// your own in the same format, and <see cref="Merge"/> adds or replaces devices by name.
/// </summary>
public sealed class HardwareCatalog
{
    private readonly Dictionary<string, DeviceSpec> _devices;

    private HardwareCatalog(string version, IEnumerable<DeviceSpec> devices, IReadOnlyDictionary<string, string> sources)
    {
        Version = version;
        _devices = devices.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
        Sources = sources;
    }

    /// <summary>The catalog's version string.</summary>
    public string Version { get; }

    /// <summary>Source texts by id.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    /// <summary>All devices.</summary>
    public IReadOnlyCollection<DeviceSpec> Devices => _devices.Values;

    /// <summary>The catalog shipped with AgentDsl.</summary>
    public static HardwareCatalog Default { get; } = LoadDefault();

    /// <summary>A device by name (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">No such device; the message lists the known ones.</exception>
    public DeviceSpec this[string name] => _devices.TryGetValue(name, out var d)
        ? d
        : throw new KeyNotFoundException($"The hardware catalog has no device '{name}'. Known: {string.Join(", ", _devices.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>Whether the catalog has a device.</summary>
    public bool Contains(string name) => _devices.ContainsKey(name);

    /// <summary>This catalog with the devices of <paramref name="other"/> added (same names replaced).</summary>
    public HardwareCatalog Merge(HardwareCatalog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = new Dictionary<string, DeviceSpec>(_devices, StringComparer.OrdinalIgnoreCase);
        foreach (var d in other.Devices)
        {
            merged[d.Name] = d;
        }

        var sources = new Dictionary<string, string>(Sources);
        foreach (var (k, v) in other.Sources)
        {
            sources[k] = v;
        }

        return new HardwareCatalog(Version + "+" + other.Version, merged.Values, sources);
    }

    /// <summary>Reads a catalog file.</summary>
    /// <exception cref="CatalogException">The file is malformed or incomplete; the message names the file, the entry and the field.</exception>
    public static HardwareCatalog Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CatalogException(path, null, null, ex.Message);
        }

        return Parse(text, path);
    }

    /// <summary>Parses catalog JSON; <paramref name="fileName"/> names it in errors.</summary>
    /// <remarks>
    /// The one reader of the device schema (shared with the analyzers, which read <c>agentdsl.hardware.json</c> at build time):
    /// pass 1 reads each device as a profile's <c>spec</c> would be read, pass 2 adds the catalog's rules (every figure stated and
    /// cited, power required). docs/planning.md, "The device schema".
    /// </remarks>
    public static HardwareCatalog Parse(string json, string fileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        Shared.CatalogFile file;
        try
        {
            file = Shared.ProfileReader.ReadCatalog(json);
        }
        catch (Shared.ProfileException ex)
        {
            throw CatalogException.From(fileName, ex);
        }

        return new HardwareCatalog(file.Version, file.Devices.Select(ToSpec), file.Sources);
    }

    /// <summary>A device as the shared schema reader gives it.</summary>
    internal static DeviceSpec ToSpec(Shared.ProfileDevice d) => new()
    {
        Name = d.Name,
        Vendor = d.Vendor,
        Kind = d.Kind,
        Fp32Tflops = d.Fp32Tflops,
        Fp16Tflops = d.Fp16Tflops,
        Fp16SparseTflops = d.Fp16SparseTflops,
        Fp8Tflops = d.Fp8Tflops,
        MemoryGB = d.MemoryGB,
        MemoryBandwidthGBs = d.MemoryBandwidthGBs,
        HostLinkGBs = d.HostLinkGBs,
        HostLinkLatencyUs = d.HostLinkLatencyUs,
        DeviceLinkGBs = d.DeviceLinkGBs,
        DeviceLinkLatencyUs = d.DeviceLinkLatencyUs,
        PowerW = d.PowerW,
        PriceUsd = d.PriceUsd,
        RentalUsdPerHour = d.RentalUsdPerHour,
        OperatingUsdPerHour = d.OperatingUsdPerHour,
        LaunchOverheadUs = d.LaunchOverheadUs,
        SupportsFp64 = d.SupportsFp64,
        SupportsFp16 = d.SupportsFp16,
        Sources = new Dictionary<string, string>(d.Sources),
    };

    private static HardwareCatalog LoadDefault()
    {
        using var stream = typeof(HardwareCatalog).Assembly.GetManifestResourceStream("AgentDsl.Planning.hardware-catalog.json")
            ?? throw new InvalidOperationException("The embedded hardware catalog is missing from AgentDsl.Planning.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "hardware-catalog.json (embedded)");
    }
}
