using System.CommandLine;
using System.Globalization;
using System.Reflection;
using AgentDsl.Ir;
using AgentDsl.OpenCL;
using AgentDsl.Planning;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Cli;

/// <summary>The <c>agentdsl</c> command line: plan, tco, ir, devices.</summary>
public static class AgentDslCli
{
    /// <summary>Runs the command line; returns the exit code (0 ok, 1 bad input, 2 infeasible plan).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("AgentDsl: plan agent graphs on heterogeneous hardware, reproduce the paper's TCO study, export IR.");
        root.Add(PlanCommand(output, error));
        root.Add(TcoCommand(output));
        root.Add(IrCommand(output));
        root.Add(DevicesCommand(output));
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                error.WriteLine("agentdsl: " + string.Join("; ", parse.Errors.Select(e => e.Message)));
                return 1;
            }

            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CatalogException or GraphDefinitionException or FileNotFoundException or DirectoryNotFoundException
            or InvalidOperationException or KeyNotFoundException or ArgumentException or BadImageFormatException or UnauthorizedAccessException)
        {
            error.WriteLine("agentdsl: " + ex.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    private static Option<FileInfo> GraphOption() => new("--graph") { Description = "A built assembly (.dll) with [AgentGraph] classes, or a graph IR JSON file (agentdsl ir --format json).", Required = true };

    private static Option<string?> TypeOption() => new("--type") { Description = "The graph's class or graph name when the assembly has several." };

    private static Command PlanCommand(TextWriter output, TextWriter error)
    {
        var graph = GraphOption();
        var type = TypeOption();
        var profile = new Option<FileInfo>("--profile") { Description = "Hardware profile (agentdsl.hardware.json): catalog devices with counts.", Required = true };
        var sla = new Option<double?>("--sla-ms") { Description = "End-to-end SLA in ms, > 0 (default: the graph's)." };
        var rate = new Option<double>("--rate") { Description = "Target request rate per second for the fleet, > 0.", DefaultValueFactory = _ => 1 };
        var percentile = new Option<double?>("--percentile") { Description = "The fleets' tail latency percentile, in percent: 0 < p ≤ 100, e.g. 99 or 99.9 (default: the graph's SLA percentile)." };
        RequireValue(sla, v => double.IsFinite(v) && v > 0, "a positive number of milliseconds");
        RequireValue(rate, v => double.IsFinite(v) && v > 0, "a positive number of requests per second");
        RequireValue(percentile, v => v is > 0 and <= 100, "a percentage in (0, 100], e.g. 99");
        var decompose = new Option<bool>("--decompose") { Description = "Lower LLM operators into prefill → KV transfer → decode first." };
        var catalogFile = new Option<FileInfo?>("--catalog") { Description = "An extra catalog file merged into the built-in one." };
        var objective = new Option<string>("--objective") { Description = "latency: the fastest placement (HEFT); cost: the cheapest placement whose latency meets the SLA (the paper's objective).", DefaultValueFactory = _ => "latency" };
        objective.AcceptOnlyFromAmong("latency", "cost");
        var costsFile = new Option<FileInfo?>("--costs") { Description = "A cost table (profiled ms and $ per request of each node on each device type, and of transfers) used instead of the roofline cost model." };
        var command = new Command("plan", "Place a graph on a hardware profile: placement, predicted p50/p99 latency, fleet and cost per request.")
        {
            graph, type, profile, sla, rate, percentile, decompose, catalogFile, objective, costsFile,
        };
        command.SetAction(parse =>
        {
            var catalog = Catalog(parse.GetValue(catalogFile));
            var definition = GraphLoader.Load(parse.GetValue(graph)!.FullName, parse.GetValue(type));
            if (parse.GetValue(decompose))
            {
                definition = LlmDecomposition.Apply(definition);
            }

            (definition, var whole) = LlmDecomposition.CostAsOneNode(definition);
            var hardware = HardwareProfile.Load(parse.GetValue(profile)!.FullName, catalog);
            var assumptions = new TcoAssumptions { Reading = hardware.Pricing };
            double? slaSeconds = parse.GetValue(sla) is { } ms ? ms / 1000 : null;
            var table = parse.GetValue(costsFile) is { } tableFile ? TableCosts.Load(tableFile.FullName) : null;
            IPlacementCosts costs = table is null ? new RooflineCosts(new CostModel()) : table;
            if (table is not null && definition.Nodes.FirstOrDefault(n => !table.Covers(n)) is { } uncosted)
            {
                throw new ArgumentException($"{parse.GetValue(costsFile)!.FullName} has no row for {uncosted.Describe()}.");
            }

            // A cost table prices requests, not device hours: the devices' hourly prices are not needed (nor used) then.
            var hourly = hardware.Devices.ToDictionary(d => d.Spec.Name, d => table is null ? hardware.HourlyCost(d.Spec, assumptions) : 0);
            var devices = hardware.Devices.SelectMany(d => Enumerable.Range(0, d.Count).Select(i => new PlanDevice($"{d.Spec.Name}#{i}", d.Spec) { HourlyCost = hourly[d.Spec.Name] })).ToList();
            bool cheapest = parse.GetValue(objective) == "cost";
            var costPlan = cheapest ? new CostPlanner().Plan(definition, devices, costs, slaSeconds) : null;
            var plan = costPlan?.Best ?? new HeftPlanner().Plan(definition, devices, costs, slaSeconds);
            output.WriteLine($"Graph {definition.Name}: {definition.Nodes.Length} nodes on {devices.Count} devices ({string.Join(", ", hardware.Devices.Select(d => $"{d.Count}× {d.Spec.Name}"))})");
            if (table is null)
            {
                ReportLlmCosting(definition, whole, output, error);
            }
            else
            {
                output.WriteLine($"Costs from the table {parse.GetValue(costsFile)!.Name} (not the roofline model).");
            }

            double slaLimit = slaSeconds ?? (definition.Sla.HasLatencyBound ? definition.Sla.LatencyMs / 1000 : double.PositiveInfinity);
            string within = double.IsFinite(slaLimit) ? string.Create(CultureInfo.InvariantCulture, $"within the SLA of {slaLimit * 1000:0.###} ms") : "(no SLA)";
            output.WriteLine(costPlan is null
                ? "Objective: latency, the fastest placement (HEFT)."
                : $"Objective: cost, the cheapest placement {within} ({(costPlan.Exact ? "every placement tried" : "greedy from the fastest placement")}).");
            if (plan.Nodes.Count > 0)
            {
                output.WriteLine();
                output.WriteLine($"  {"node",-28} {"device",-16} {"start ms",10} {"time ms",10}");
                foreach (var n in plan.Nodes)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {n.Node,-28} {n.Device,-16} {n.Start * 1000,10:0.###} {n.Seconds * 1000,10:0.###}"));
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency {plan.LatencySeconds * 1000:0.###} ms along {string.Join(" → ", plan.CriticalPath)}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cost ${plan.Cost:0.######} per request"));
                if (costPlan is not null)
                {
                    ReportOptions(costPlan, devices, slaLimit, output);
                }
            }

            if (!plan.Feasible)
            {
                output.WriteLine();
                output.WriteLine("Infeasible (" + plan.Problem!.Constraint + "): " + plan.Problem.Message);
                return 2;
            }

            if (table is not null)
            {
                output.WriteLine();
                output.WriteLine("Fleets are not sized with --costs: the table prices requests, not device hours.");
                return 0;
            }

            // A request may use the profile's devices of each type at once, as the per-request plan above does.
            var types = hardware.Devices.Select(d => (d.Spec, hourly[d.Spec.Name], d.Count)).ToList();
            var fleets = new FleetPlanner(costs) { Percentile = parse.GetValue(percentile) / 100 }.Plan(definition, types, parse.GetValue(rate), slaSeconds);
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fleets for {parse.GetValue(rate)} requests/s (pricing: {hardware.Pricing}):"));
            foreach (var fleet in new[] { fleets.Heterogeneous }.Concat(fleets.Homogeneous))
            {
                output.WriteLine(fleet.Feasible
                    ? string.Create(CultureInfo.InvariantCulture, $"  {fleet.Name,-24} {string.Join(", ", fleet.Devices.Select(d => $"{d.Value}× {d.Key}")),-36} ${fleet.UsdPerHour,9:0.###}/h  ${fleet.UsdPerRequest:0.######}/request  p50 {fleet.P50Seconds * 1000:0.##} ms  p{fleet.TailPercentile * 100:0.###} {fleet.TailSeconds * 1000:0.##} ms")
                    : $"  {fleet.Name,-24} infeasible: {fleet.Plan.Problem?.Message}");
            }

            if (fleets.Best is { } best)
            {
                output.WriteLine($"  cheapest: {best.Name}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// Lists the placements the exhaustive cost planner compared, one per device type per node (the fastest of those that
    /// differ only in which instance of a type), when there are few enough to read: latency, price, and which was chosen.
    /// </summary>
    private static void ReportOptions(CostPlan plan, IReadOnlyList<PlanDevice> devices, double sla, TextWriter output)
    {
        var type = devices.ToDictionary(d => d.Name, d => d.Spec.Name);
        string Types(PlanResult r) => string.Join(" + ", r.Devices.Select(d => type[d]));
        var options = plan.Options.GroupBy(Types).Select(g => g.MinBy(r => (r.LatencySeconds, r.Cost))!).ToList();
        if (!plan.Exact || options.Count is < 2 or > 16)
        {
            return;
        }

        string chosen = Types(plan.Best);
        output.WriteLine("  placements compared (device type per node):");
        foreach (var option in options.OrderBy(o => o.LatencySeconds).ThenBy(o => o.Cost))
        {
            string note = Types(option) == chosen && plan.Best.Feasible ? "chosen" : option.LatencySeconds > sla + 1e-12 ? "over the SLA" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {Types(option),-32} {option.LatencySeconds * 1000,10:0.###} ms  ${option.Cost,-10:0.######} {note}").TrimEnd());
        }
    }

    /// <summary>
    /// Says how the LLM nodes are costed (decomposed into prefill → KV transfer → decode, or as one node from their model
    /// description), and warns, one line per node, about every node with no cost hints at all: the planner sees it as free.
    /// </summary>
    private static void ReportLlmCosting(GraphDefinition definition, IReadOnlyList<string> whole, TextWriter output, TextWriter error)
    {
        var split = definition.Nodes.Where(n => n.Phase == NodePhase.Prefill).Select(n => n.Name[..^".prefill".Length]).ToList();
        if (split.Count > 0)
        {
            output.WriteLine($"LLM nodes decomposed into prefill → KV transfer → decode (--decompose): {string.Join(", ", split)}");
        }

        if (whole.Count > 0)
        {
            output.WriteLine($"LLM nodes costed as one node from their model description (prefill and decode work together; --decompose splits them): {string.Join(", ", whole)}");
        }

        foreach (var node in definition.Nodes.Where(n => n.Cost.Flops <= 0 && n.Cost.BytesMoved <= 0))
        {
            error.WriteLine($"agentdsl: warning: {node.Describe()} has no cost hints (Flops, BytesMoved, or a model with layers, hidden size and heads); it is planned as taking only its device's launch overhead.");
        }
    }

    private static Command TcoCommand(TextWriter output)
    {
        var study = new Option<FileInfo?>("--study") { Description = "A TCO study file (default: the paper's inputs, built in)." };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Where to write tco.csv, tco.md and the SVG charts.", DefaultValueFactory = _ => new DirectoryInfo("tco") };
        var catalogFile = new Option<FileInfo?>("--catalog") { Description = "An extra catalog file merged into the built-in one." };
        var command = new Command("tco", "Run the TCO study: every prefill::decode pair relative to the baseline, for every configuration, under every reading of the paper's inputs, with a power sensitivity row for each device whose sources give different power figures.")
        {
            study, outDir, catalogFile,
        };
        command.SetAction(parse =>
        {
            var s = parse.GetValue(study) is { } f ? TcoStudy.Load(f.FullName) : TcoStudy.Default();
            var catalog = Catalog(parse.GetValue(catalogFile));
            var dir = parse.GetValue(outDir)!;
            dir.Create();
            var progress = new Progress<string>(line => output.WriteLine("  … " + line));
            var rows = new List<TcoRow>();
            foreach (var devices in Enum.GetValues<DeviceReading>())
            {
                foreach (var prices in TcoStudy.PriceReadings)
                {
                    output.WriteLine($"Running {devices} figures, {prices} prices …");
                    var run = s.Run(catalog, devices, prices);
                    rows.AddRange(run);
                    string svg = Path.Combine(dir.FullName, $"tco-{devices}-{prices}.svg".ToLowerInvariant());
                    TcoReport.WriteHeatmap(run, s, svg);
                    output.WriteLine($"  wrote {svg}");
                }
            }

            var power = Enum.GetValues<DeviceReading>()
                .Select(devices => new TcoSensitivityRun(devices, PriceReading.FirstPrinciples, s.PowerSensitivity(catalog, devices, PriceReading.FirstPrinciples)))
                .ToList();
            File.WriteAllText(Path.Combine(dir.FullName, "tco.csv"), TcoStudy.ToCsv(rows));
            File.WriteAllText(Path.Combine(dir.FullName, "tco.md"), TcoReport.Markdown(rows, s, catalog, power));
            output.WriteLine();
            output.Write(TcoReport.Winners(rows, s));
            output.WriteLine($"Wrote {Path.Combine(dir.FullName, "tco.csv")} and {Path.Combine(dir.FullName, "tco.md")}.");
            return 0;
        });
        return command;
    }

    private static Command IrCommand(TextWriter output)
    {
        var graph = GraphOption();
        var type = TypeOption();
        var format = new Option<string>("--format") { Description = "json, dot or mlir.", DefaultValueFactory = _ => "mlir" };
        format.AcceptOnlyFromAmong("json", "dot", "mlir");
        var decompose = new Option<bool>("--decompose") { Description = "Lower LLM operators into prefill → KV transfer → decode." };
        var outFile = new Option<FileInfo?>("--out") { Description = "Write to a file instead of standard output." };
        var command = new Command("ir", "Print a graph's IR as JSON, Graphviz DOT or MLIR.") { graph, type, format, decompose, outFile };
        command.SetAction(parse =>
        {
            var definition = GraphLoader.Load(parse.GetValue(graph)!.FullName, parse.GetValue(type));
            if (parse.GetValue(decompose))
            {
                definition = LlmDecomposition.Apply(definition);
            }

            string text = parse.GetValue(format) switch
            {
                "json" => definition.ToJson(),
                "dot" => definition.ToDot(),
                _ => definition.ToMlir(),
            };
            if (parse.GetValue(outFile) is { } file)
            {
                File.WriteAllText(file.FullName, text);
            }
            else
            {
                output.Write(text);
            }

            return 0;
        });
        return command;
    }

    private static Command DevicesCommand(TextWriter output)
    {
        var catalog = new Option<bool>("--catalog") { Description = "Also list the hardware catalog." };
        var command = new Command("devices", "What this machine offers (CPU, OpenCL devices) and, with --catalog, the catalog's devices.") { catalog };
        command.SetAction(parse =>
        {
            var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu: {Environment.ProcessorCount} logical cores, {memory / 1e9:0.#} GB available to .NET, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}"));
            var (devices, problem) = OpenClDeviceInfo.Discover();
            if (devices.Count == 0)
            {
                output.WriteLine("opencl: none (" + problem + ")");
            }

            foreach (var d in devices)
            {
                output.WriteLine(d.ToString());
            }

            if (parse.GetValue(catalog))
            {
                output.WriteLine();
                output.WriteLine($"catalog {HardwareCatalog.Default.Version}:");
                output.WriteLine($"  {"name",-11} {"vendor",-7} {"kind",-12} {"FP16 TF",8} {"FP8 TF",8} {"GB",6} {"GB/s",7} {"W",6} {"price $",9}");
                foreach (var d in HardwareCatalog.Default.Devices.OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {d.Name,-11} {d.Vendor,-7} {d.Kind,-12} {d.Fp16Tflops,8:0.#} {(d.Fp8Tflops?.ToString("0.#", CultureInfo.InvariantCulture) ?? "-"),8} {d.MemoryGB,6:0.#} {d.MemoryBandwidthGBs,7:0.#} {d.PowerW,6:0} {(d.PriceUsd?.ToString("0", CultureInfo.InvariantCulture) ?? "-"),9}"));
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// Rejects a value of <paramref name="option"/> outside its domain at parse time, so that the command fails with one line
    /// naming the option and the value (exit code 1) before anything is planned or printed.
    /// </summary>
    private static void RequireValue(Option<double> option, Func<double, bool> valid, string expected) =>
        option.Validators.Add(result =>
        {
            double value = result.GetValueOrDefault<double>();
            if (!valid(value))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be {expected}; got {value}."));
            }
        });

    /// <inheritdoc cref="RequireValue(Option{double}, Func{double, bool}, string)"/>
    private static void RequireValue(Option<double?> option, Func<double, bool> valid, string expected) =>
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && !valid(value))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be {expected}; got {value}."));
            }
        });

    private static HardwareCatalog Catalog(FileInfo? extra) =>
        extra is null ? HardwareCatalog.Default : HardwareCatalog.Default.Merge(HardwareCatalog.Load(extra.FullName));
}
