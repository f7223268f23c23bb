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
    /// <remarks>
    /// Read by the one reader of the device schema, the one the analyzers use on the same file at build time, so a
    /// profile the build accepts is one <c>agentdsl plan --profile</c> accepts, with the same figures. A <c>spec</c>
    /// follows the schema's pass 1 only: it need not cite sources, and may leave out <c>fp8Tflops</c> (no FP8) and
    /// <c>powerW</c> (then no first-principles price: give <c>hourlyUsd</c>). docs/planning.md, "The device schema".
    /// </remarks>
    /// <exception cref="CatalogException">Malformed: the message names the file, the line and column or the entry, and the field.</exception>
    public static HardwareProfile Parse(string json, string file, HardwareCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        catalog ??= HardwareCatalog.Default;
        Shared.ProfileFile read;
        try
        {
            // Catalog entries are looked up by name only; the catalog's own DeviceSpec is used for them below.
            var names = catalog.Devices.ToDictionary(d => d.Name, d => new Shared.ProfileDevice { Name = d.Name }, StringComparer.OrdinalIgnoreCase);
            read = Shared.ProfileReader.ReadProfile(json, names);
        }
        catch (Shared.ProfileException ex)
        {
            throw CatalogException.From(file, ex);
        }

        var devices = new List<(DeviceSpec, int)>();
        var hourly = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in read.Devices)
        {
            var spec = d.FromCatalog ? catalog[d.Name] : HardwareCatalog.ToSpec(d);
            devices.Add((spec, d.Count));
            if (d.HourlyUsd is { } price)
            {
                hourly[spec.Name] = price;
            }
        }

        return new HardwareProfile(devices, read.Pricing is null ? PriceReading.FirstPrinciples : Enum.Parse<PriceReading>(read.Pricing), hourly);
    }
}
