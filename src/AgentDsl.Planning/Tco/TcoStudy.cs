using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>
/// The paper's TCO study run through the fleet planner: for every configuration and every P::D pair of
/// the study's devices, the cheapest prefill stage (TP × PP × batch, within TTFT when interactive) and
/// the cheapest decode stage (within TBT), with fleets as large as the workload needs, priced per request
/// and compared to the baseline pair. Nothing is tuned: the ranking comes from the model and the data files.
/// </summary>
public sealed class TcoStudy
{
    private TcoStudy(JsonElement root, string file)
    {
        File = file;
        Devices = [.. root.GetProperty("devices").EnumerateArray().Select(e => e.GetString()!)];
        BaselinePrefill = root.GetProperty("baseline").GetProperty("prefill").GetString()!;
        BaselineDecode = root.GetProperty("baseline").GetProperty("decode").GetString()!;
        var precisions = root.GetProperty("precisions").EnumerateArray().Select(p => Enum.Parse<Precision>(p.GetString()!)).ToList();
        Models = [.. root.GetProperty("models").EnumerateArray().SelectMany(m => precisions.Select(p => new LlmSpec(
            m.GetProperty("name").GetString()!, m.GetProperty("parameters").GetDouble(), m.GetProperty("layers").GetInt32(),
            m.GetProperty("hidden").GetInt32(), m.GetProperty("heads").GetInt32(), m.GetProperty("kvHeads").GetInt32(), p)))];
        Shapes = [.. root.GetProperty("shapes").EnumerateArray().Select(s => new TokenShape(s.GetProperty("name").GetString()!, s.GetProperty("prompt").GetInt32(), s.GetProperty("output").GetInt32()))];
        Regimes = [.. root.GetProperty("regimes").EnumerateArray().Select(r => Enum.Parse<SlaRegime>(r.GetString()!))];
        var a = root.GetProperty("assumptions");
        Assumptions = new TcoAssumptions
        {
            LifetimeYears = a.GetProperty("lifetimeYears").GetDouble(),
            InterestRate = a.GetProperty("interestRate").GetDouble(),
            EnergyUsdPerKwh = a.GetProperty("energyUsdPerKwh").GetDouble(),
            Pue = a.GetProperty("pue").GetDouble(),
        };
        Serving = new LlmServingModel { TtftLimit = a.GetProperty("ttftMs").GetDouble() / 1000, TbtLimit = a.GetProperty("tbtMs").GetDouble() / 1000 };
        PaperTable = root.GetProperty("paperTable").GetProperty("devices").EnumerateObject().ToDictionary(
            p => p.Name,
            p => (Price: p.Value.GetProperty("priceUsd").GetDouble(), Memory: p.Value.GetProperty("memoryGB").GetDouble(),
                Bandwidth: p.Value.GetProperty("memoryBandwidthGBs").GetDouble(), Fp16: p.Value.GetProperty("fp16Tflops").GetDouble(),
                Operating: p.Value.GetProperty("operatingUsdPerHour").GetDouble()));
        PowerFigures = root.TryGetProperty("powerFigures", out var power)
            ? power.GetProperty("devices").EnumerateObject().ToDictionary(
                d => d.Name,
                d => (IReadOnlyList<PowerFigure>)[.. d.Value.EnumerateArray().Select(f => new PowerFigure(
                    f.GetProperty("watts").GetDouble() is var w && double.IsFinite(w) && w > 0 ? w : throw new ArgumentException($"powerFigures.{d.Name}: watts must be a positive number, not {w}"),
                    f.GetProperty("source").GetString() ?? throw new ArgumentException($"powerFigures.{d.Name}: every figure needs a source")))])
            : new Dictionary<string, IReadOnlyList<PowerFigure>>();
    }

    /// <summary>The price readings the study reports side by side: first principles, the paper's column as the whole hourly cost, and the financed price plus the column as the running cost.</summary>
    public static IReadOnlyList<PriceReading> PriceReadings { get; } =
        [PriceReading.FirstPrinciples, PriceReading.PaperOperatingCost, PriceReading.FinancedPlusOperatingCost];

    /// <summary>The study file.</summary>
    public string File { get; }

    /// <summary>Device names (catalog entries).</summary>
    public IReadOnlyList<string> Devices { get; }

    /// <summary>Baseline prefill device.</summary>
    public string BaselinePrefill { get; }

    /// <summary>Baseline decode device.</summary>
    public string BaselineDecode { get; }

    /// <summary>Models × precisions.</summary>
    public IReadOnlyList<LlmSpec> Models { get; }

    /// <summary>Token shapes.</summary>
    public IReadOnlyList<TokenShape> Shapes { get; }

    /// <summary>SLA regimes.</summary>
    public IReadOnlyList<SlaRegime> Regimes { get; }

    /// <summary>Financing and energy.</summary>
    public TcoAssumptions Assumptions { get; }

    /// <summary>The serving performance model.</summary>
    public LlmServingModel Serving { get; }

    /// <summary>The paper's table 5 per device.</summary>
    public IReadOnlyDictionary<string, (double Price, double Memory, double Bandwidth, double Fp16, double Operating)> PaperTable { get; }

    /// <summary>Every maximum-power figure the sources give, per device (empty when the study file has no <c>powerFigures</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PowerFigure>> PowerFigures { get; }

    /// <summary>The study's devices whose sources give more than one distinct power figure, in study order.</summary>
    public IReadOnlyList<string> DevicesWithDifferingPower =>
        [.. Devices.Where(d => PowerFigures.TryGetValue(d, out var f) && f.Select(x => x.Watts).Distinct().Count() > 1)];

    /// <summary>Every configuration, in a fixed order.</summary>
    public IEnumerable<TcoConfiguration> Configurations =>
        from m in Models from s in Shapes from r in Regimes select new TcoConfiguration(m, s, r);

    /// <summary>The study shipped with AgentDsl (the paper's inputs).</summary>
    public static TcoStudy Default()
    {
        using var stream = typeof(TcoStudy).Assembly.GetManifestResourceStream("AgentDsl.Planning.tco-study.json")!;
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "tco-study.json (embedded)");
    }

    /// <summary>Reads a study file.</summary>
    public static TcoStudy Load(string path) => Parse(System.IO.File.ReadAllText(path), path);

    /// <summary>Parses a study.</summary>
    /// <exception cref="CatalogException">The file is malformed; the message names the file and the field.</exception>
    public static TcoStudy Parse(string json, string file)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return new TcoStudy(document.RootElement.Clone(), file);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new CatalogException(file, null, null, "not a valid TCO study: " + ex.Message);
        }
    }

    /// <summary>The devices under a reading.</summary>
    public IReadOnlyList<DeviceSpec> DeviceSpecs(HardwareCatalog catalog, DeviceReading reading) =>
        [.. Devices.Select(name =>
        {
            var spec = catalog[name];
            if (reading == DeviceReading.PaperTable && PaperTable.TryGetValue(name, out var t))
            {
                spec = spec with { PriceUsd = t.Price, MemoryGB = t.Memory, MemoryBandwidthGBs = t.Bandwidth, Fp16Tflops = t.Fp16, OperatingUsdPerHour = t.Operating };
            }

            return spec;
        })];

    /// <summary>Runs every configuration under one device reading and one price reading.</summary>
    public IReadOnlyList<TcoRow> Run(HardwareCatalog catalog, DeviceReading devices, PriceReading prices, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return RunSpecs(DeviceSpecs(catalog, devices), devices, prices, progress);
    }

    /// <summary>
    /// One power sensitivity row per device in <see cref="DevicesWithDifferingPower"/>: the study under the given
    /// readings rerun with that device's power at each distinct published figure. Power enters the hourly cost only
    /// under <see cref="PriceReading.FirstPrinciples"/>; under the other readings every case equals the reading itself.
    /// </summary>
    public IReadOnlyList<TcoPowerSensitivity> PowerSensitivity(HardwareCatalog catalog, DeviceReading devices, PriceReading prices, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var specs = DeviceSpecs(catalog, devices);
        var assumptions = Assumptions with { Reading = prices };
        var result = new List<TcoPowerSensitivity>();
        foreach (string device in DevicesWithDifferingPower)
        {
            var spec = specs.Single(s => s.Name == device);
            var cases = new List<TcoPowerCase>();
            foreach (var figure in PowerFigures[device].GroupBy(f => f.Watts).OrderBy(g => g.Key)
                .Select(g => new PowerFigure(g.Key, string.Join("; ", g.Select(f => f.Source)))))
            {
                var changed = spec with { PowerW = figure.Watts };
                progress?.Report($"{device} at {figure.Watts.ToString(CultureInfo.InvariantCulture)} W");
                var rows = RunSpecs([.. specs.Select(s => s.Name == device ? changed : s)], devices, prices, null);
                cases.Add(new TcoPowerCase(figure, assumptions.HourlyCost(changed), rows));
            }

            result.Add(new TcoPowerSensitivity(device, spec.PowerW ?? throw new InvalidOperationException($"The study's device '{device}' has no power figure."), cases));
        }

        return result;
    }

    private List<TcoRow> RunSpecs(IReadOnlyList<DeviceSpec> specs, DeviceReading devices, PriceReading prices, IProgress<string>? progress)
    {
        var assumptions = Assumptions with { Reading = prices };
        var hourly = specs.ToDictionary(s => s.Name, assumptions.HourlyCost);
        var rows = new List<TcoRow>();
        foreach (var configuration in Configurations)
        {
            progress?.Report($"{devices}/{prices}: {configuration.Label}");
            var prefill = specs.ToDictionary(s => s.Name, s => Serving.BestPrefill(s, hourly[s.Name], configuration.Model, configuration.Shape, configuration.Regime));
            var decode = specs.ToDictionary(s => s.Name, s => Serving.BestDecode(s, hourly[s.Name], configuration.Model, configuration.Shape, configuration.Regime));
            double Cost(string p, string d) => prefill[p] is { } ps && decode[d] is { } ds
                ? ps.CostPerUnit + (ds.CostPerUnit * configuration.Shape.Output)
                : double.PositiveInfinity;
            double baseline = Cost(BaselinePrefill, BaselineDecode);
            var pairs = (from p in Devices from d in Devices
                         let cost = Cost(p, d)
                         select new TcoPair(p, d, prefill[p], decode[d], cost, cost / baseline)).ToList();
            rows.Add(new TcoRow(devices, prices, configuration, pairs));
        }

        return rows;
    }

    /// <summary>Every pair of every configuration as CSV (one line per pair), for all the readings given.</summary>
    public static string ToCsv(IEnumerable<TcoRow> rows)
    {
        var sb = new System.Text.StringBuilder("device_reading,price_reading,model,precision,shape,regime,prefill,decode,feasible,cost_per_request_usd,relative_to_baseline,prefill_config,decode_config,ttft_ms,tbt_ms\n");
        foreach (var row in rows)
        {
            foreach (var p in row.Pairs)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{row.Devices},{row.Prices},{row.Configuration.Model.Name},{row.Configuration.Model.Precision},{row.Configuration.Shape.Name},{row.Configuration.Regime},{p.Prefill},{p.Decode},{p.Feasible},");
                sb.Append(p.Feasible ? p.CostPerRequest.ToString("G6", CultureInfo.InvariantCulture) : "").Append(',');
                sb.Append(p.Feasible && double.IsFinite(p.Relative) ? p.Relative.ToString("0.0000", CultureInfo.InvariantCulture) : "").Append(',');
                sb.Append(CultureInfo.InvariantCulture, $"{p.PrefillStage?.ToString() ?? "none"},{p.DecodeStage?.ToString() ?? "none"},");
                sb.Append(CultureInfo.InvariantCulture, $"{(p.PrefillStage is { } ps ? (ps.LatencySeconds * 1000).ToString("0.##", CultureInfo.InvariantCulture) : "")},{(p.DecodeStage is { } ds ? (ds.LatencySeconds * 1000).ToString("0.###", CultureInfo.InvariantCulture) : "")}\n");
            }
        }

        return sb.ToString();
    }
}
