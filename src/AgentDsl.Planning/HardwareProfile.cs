using System.Text.Json;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Planning;

/// <summary>
/// The devices a deployment has (<c>agentdsl.hardware.json</c>): catalog names with counts, or full
/// descriptions in the catalog's format, and how an hour of each is priced.
/// </summary>
/// <example>
/// <code>
/// { "devices": [ { "catalog": "EPYC-9654", "count": 1 }, { "catalog": "H100-SXM", "count": 2 } ], "pricing": "FirstPrinciples" }
/// </code>
/// </example>
public sealed class HardwareProfile
{
    private HardwareProfile(IReadOnlyList<(DeviceSpec Spec, int Count)> devices, PriceReading pricing, IReadOnlyDictionary<string, double>? hourly = null)
    {
        Devices = devices;
        Pricing = pricing;
        HourlyOverrides = hourly ?? new Dictionary<string, double>();
    }

    /// <summary>Hourly prices stated in the profile (<c>"hourlyUsd"</c>), by device type; they win over the catalog.</summary>
    public IReadOnlyDictionary<string, double> HourlyOverrides { get; }

    /// <summary>What an hour of a device type costs: the profile's own figure, else the catalog's under <see cref="Pricing"/>.</summary>
    /// <exception cref="InvalidOperationException">Neither gives a price; the message names the device and what to add.</exception>
    public double HourlyCost(DeviceSpec spec, TcoAssumptions? assumptions = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (HourlyOverrides.TryGetValue(spec.Name, out double price))
        {
            return price;
        }

        try
        {
            return ((assumptions ?? new TcoAssumptions()) with { Reading = Pricing }).HourlyCost(spec);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(ex.Message + $" Or give it a price in the profile: {{ \"catalog\": \"{spec.Name}\", \"hourlyUsd\": … }}.", ex);
        }
    }

    /// <summary>Device types and how many of each.</summary>
    public IReadOnlyList<(DeviceSpec Spec, int Count)> Devices { get; }

    /// <summary>How an hour is priced.</summary>
    public PriceReading Pricing { get; }

    /// <summary>A profile from device types and counts.</summary>
    public static HardwareProfile Of(PriceReading pricing, params (DeviceSpec Spec, int Count)[] devices) => new(devices, pricing);

    /// <summary>Reads a profile file.</summary>
    /// <exception cref="CatalogException">Malformed: the message names the file, the line and column or the entry, and the field.</exception>
    public static HardwareProfile Load(string path, HardwareCatalog? catalog = null) => Parse(File.ReadAllText(path), path, catalog);

    /// <summary>Parses profile JSON.</summary>
    public static HardwareProfile Parse(string json, string file, HardwareCatalog? catalog = null)
    {
        catalog ??= HardwareCatalog.Default;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CatalogException($"{file}({ex.LineNumber + 1},{ex.BytePositionInLine + 1})", null, null, ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new CatalogException(file, null, null, "not valid text: " + ex.Message); // a lone UTF-16 surrogate
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("devices", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new CatalogException(file, null, "devices", "a profile is an object with a 'devices' array");
            }

            var pricing = PriceReading.FirstPrinciples;
            if (root.TryGetProperty("pricing", out var p)
                && (p.ValueKind != JsonValueKind.String || !Enum.GetNames<PriceReading>().Contains(p.GetString(), StringComparer.OrdinalIgnoreCase) || !Enum.TryParse(p.GetString(), ignoreCase: true, out pricing)))
            {
                throw new CatalogException(file, null, "pricing", $"{p.GetRawText()} is not one of {string.Join(", ", Enum.GetNames<PriceReading>())}");
            }

            var devices = new List<(DeviceSpec, int)>();
            var hourly = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            int index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                string where = $"#{index++}";
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw new CatalogException(file, where, null, "a device entry must be an object");
                }

                int count = entry.TryGetProperty("count", out var c) ? (c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int n) && n > 0 ? n : throw new CatalogException(file, where, "count", "must be a positive integer")) : 1;
                if (entry.TryGetProperty("catalog", out var name))
                {
                    string text = name.ValueKind == JsonValueKind.String ? name.GetString()! : throw new CatalogException(file, where, "catalog", "must be a device name (a string)");
                    if (!catalog.Contains(text))
                    {
                        throw new CatalogException(file, where, "catalog", $"no catalog device '{text}' (known: {string.Join(", ", catalog.Devices.Select(d => d.Name).Order(StringComparer.Ordinal))})");
                    }

                    devices.Add((catalog[text], count));
                    ReadPrice(entry, text);
                }
                else if (entry.TryGetProperty("spec", out var spec))
                {
                    var own = HardwareCatalog.Parse("{\"devices\":[" + spec.GetRawText() + "]}", file);
                    devices.Add((own.Devices.Single(), count));
                    ReadPrice(entry, own.Devices.Single().Name);
                }
                else
                {
                    throw new CatalogException(file, where, "catalog", "each device names a 'catalog' entry or gives a full 'spec'");
                }
            }

            return new HardwareProfile(devices, pricing, hourly);

            void ReadPrice(JsonElement entry, string device)
            {
                if (entry.TryGetProperty("hourlyUsd", out var h))
                {
                    hourly[device] = h.ValueKind == JsonValueKind.Number && h.TryGetDouble(out double v) && double.IsFinite(v) && v >= 0 ? v : throw new CatalogException(file, $"'{device}'", "hourlyUsd", "must be a non-negative number");
                }
            }
        }
    }
}
