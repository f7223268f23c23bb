using System.Globalization;
using System.Text.Json;

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
    public static HardwareCatalog Parse(string json, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CatalogException(fileName, null, null, $"not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}): {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            throw new CatalogException(fileName, null, null, "not valid text: " + ex.Message); // a lone UTF-16 surrogate
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("devices", out var devices) || devices.ValueKind != JsonValueKind.Array)
            {
                throw new CatalogException(fileName, null, "devices", "the file must be an object with a 'devices' array");
            }

            string version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "unversioned";
            var sources = new Dictionary<string, string>();
            if (root.TryGetProperty("sources", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in s.EnumerateObject())
                {
                    sources[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new CatalogException(fileName, null, "sources." + p.Name, "must be a string");
                }
            }

            var list = new List<DeviceSpec>();
            int index = 0;
            foreach (var entry in devices.EnumerateArray())
            {
                list.Add(ParseDevice(entry, fileName, index++));
            }

            var duplicate = list.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new CatalogException(fileName, duplicate.Key, "name", "two entries have this name");
            }

            return new HardwareCatalog(version, list, sources);
        }
    }

    private static DeviceSpec ParseDevice(JsonElement e, string file, int index)
    {
        string entry = $"#{index}";
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new CatalogException(file, entry, null, "a device entry must be an object");
        }

        string name = e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } nm
            ? nm
            : throw new CatalogException(file, entry, "name", "missing or empty");
        entry = $"'{name}'";
        var sources = new Dictionary<string, string>();

        JsonElement Figure(string field, bool required = true)
        {
            if (!e.TryGetProperty(field, out var f))
            {
                if (required)
                {
                    throw new CatalogException(file, entry, field, "missing (write { \"value\": null, \"note\": \"...\" } for a figure that is not known)");
                }

                return default;
            }

            if (f.ValueKind != JsonValueKind.Object)
            {
                throw new CatalogException(file, entry, field, "must be an object such as { \"value\": 80, \"source\": \"S2\" }");
            }

            if (f.TryGetProperty("source", out var src) && src.ValueKind == JsonValueKind.String)
            {
                sources[field] = src.GetString()!;
            }

            return f;
        }

        double? Number(JsonElement figure, string field, string property, bool required)
        {
            if (figure.ValueKind != JsonValueKind.Object || !figure.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    throw new CatalogException(file, entry, field + "." + property, "required, and missing or null");
                }

                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double d) || !double.IsFinite(d) || d < 0)
            {
                throw new CatalogException(file, entry, field + "." + property, $"must be a non-negative number, not {value.GetRawText()}");
            }

            if (figure.TryGetProperty("source", out _) is false && figure.TryGetProperty("note", out _) is false)
            {
                throw new CatalogException(file, entry, field, "a figure must cite its 'source' (or carry a 'note')");
            }

            return d;
        }

        // One named kind: not "", a number ("3") or a combination ("Cpu, Gpu"), which Enum.TryParse would accept.
        string kindText = !e.TryGetProperty("kind", out var k) ? "Gpu" : k.ValueKind == JsonValueKind.String ? k.GetString()! : k.GetRawText();
        var kind = Array.Find(
            [DeviceKinds.Cpu, DeviceKinds.Gpu, DeviceKinds.Accelerator, DeviceKinds.Remote],
            d => (k.ValueKind is JsonValueKind.String or JsonValueKind.Undefined) && string.Equals(d.ToString(), kindText, StringComparison.OrdinalIgnoreCase));
        if (kind == DeviceKinds.None)
        {
            throw new CatalogException(file, entry, "kind", $"'{kindText}' is not one of Cpu, Gpu, Accelerator, Remote");
        }

        var fp32 = Figure("fp32Tflops");
        var fp16 = Figure("fp16Tflops");
        var fp8 = Figure("fp8Tflops");
        var memory = Figure("memoryGB");
        var bandwidth = Figure("memoryBandwidthGBs");
        var host = Figure("hostLink");
        var device = Figure("deviceLink", required: false);
        var power = Figure("powerW");
        var price = Figure("priceUsd", required: false);
        var rental = Figure("rentalUsdPerHour", required: false);
        var operating = Figure("operatingUsdPerHour", required: false);
        var launch = Figure("launchOverheadUs", required: false);

        return new DeviceSpec
        {
            Name = name,
            Vendor = e.TryGetProperty("vendor", out var vendor) && vendor.ValueKind == JsonValueKind.String ? vendor.GetString()! : "",
            Kind = kind,
            Fp32Tflops = Number(fp32, "fp32Tflops", "value", required: true)!.Value,
            Fp16Tflops = Number(fp16, "fp16Tflops", "dense", required: true)!.Value,
            Fp16SparseTflops = Number(fp16, "fp16Tflops", "sparse", required: false),
            Fp8Tflops = Number(fp8, "fp8Tflops", "dense", required: false) ?? Number(fp8, "fp8Tflops", "value", required: false),
            MemoryGB = Number(memory, "memoryGB", "value", required: true)!.Value,
            MemoryBandwidthGBs = Number(bandwidth, "memoryBandwidthGBs", "value", required: true)!.Value,
            HostLinkGBs = Number(host, "hostLink", "bandwidthGBs", required: true)!.Value,
            HostLinkLatencyUs = Number(host, "hostLink", "latencyUs", required: false) ?? 2,
            DeviceLinkGBs = Number(device, "deviceLink", "bandwidthGBs", required: false),
            DeviceLinkLatencyUs = Number(device, "deviceLink", "latencyUs", required: false) ?? 1,
            PowerW = Number(power, "powerW", "value", required: true)!.Value,
            PriceUsd = Number(price, "priceUsd", "value", required: false),
            RentalUsdPerHour = Number(rental, "rentalUsdPerHour", "value", required: false),
            OperatingUsdPerHour = Number(operating, "operatingUsdPerHour", "value", required: false),
            LaunchOverheadUs = Number(launch, "launchOverheadUs", "value", required: false) ?? (kind == DeviceKinds.Cpu ? 1 : 10),
            Sources = sources,
        };
    }

    private static HardwareCatalog LoadDefault()
    {
        using var stream = typeof(HardwareCatalog).Assembly.GetManifestResourceStream("AgentDsl.Planning.hardware-catalog.json")
            ?? throw new InvalidOperationException("The embedded hardware catalog is missing from AgentDsl.Planning.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "hardware-catalog.json (embedded)");
    }
}

/// <summary>A catalog or profile file is malformed or incomplete.</summary>
public sealed class CatalogException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CatalogException(string file, string? entry, string? field, string problem)
        : base($"{file}: {(entry is null ? "" : "device " + entry + ", ")}{(field is null ? "" : "field '" + field + "': ")}{problem}")
    {
        File = file;
        Entry = entry;
        Field = field;
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The entry, when known.</summary>
    public string? Entry { get; }

    /// <summary>The field, when known.</summary>
    public string? Field { get; }
}
