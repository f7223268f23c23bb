// THE reader of the device schema (hardware catalog files and agentdsl.hardware.json profiles), used by
// AgentDsl.Planning (HardwareCatalog, HardwareProfile, `agentdsl plan`) and linked into the analyzers (netstandard2.0,
// inside the compiler), so the build and the run accept the same files with the same figures.
// Pass 1 reads the schema every device description follows; pass 2 adds the catalog's own rules.
// Errors keep their position so that they point at the file, line and column (docs/planning.md, "The device schema").
#nullable enable
using System;
using System.Collections.Generic;

namespace AgentDsl.Planning.Shared
{
    /// <summary>A device description as the schema gives it, in the schema's units (TFLOP/s, GB, GB/s, µs, W, USD).</summary>
    internal sealed class ProfileDevice
    {
        public string Name = "";
        public string Vendor = "";
        public DeviceKinds Kind = DeviceKinds.Gpu;
        public double Fp32Tflops;
        public double Fp16Tflops;
        public double? Fp16SparseTflops;
        public double? Fp8Tflops;
        public double MemoryGB;
        public double MemoryBandwidthGBs;
        public double HostLinkGBs;
        public double HostLinkLatencyUs = 2;
        public double? DeviceLinkGBs;
        public double DeviceLinkLatencyUs = 1;
        public double? PowerW;
        public double? PriceUsd;
        public double? RentalUsdPerHour;
        public double? OperatingUsdPerHour;
        public double LaunchOverheadUs = 10;
        public bool SupportsFp64 = true;
        public bool SupportsFp16 = true;
        public Dictionary<string, string> Sources = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Profile entries only: how many, and the profile's own hourly price.</summary>
        public int Count = 1;
        public double? HourlyUsd;

        /// <summary>Profile entries only: the entry names a catalog device (rather than giving a spec).</summary>
        public bool FromCatalog;

        public double MemoryBytes => MemoryGB * 1e9;

        public double BandwidthBytesPerSecond => MemoryBandwidthGBs * 1e9;

        public double HostLinkBytesPerSecond => HostLinkGBs * 1e9;

        public double HostLatencySeconds => HostLinkLatencyUs * 1e-6;

        public double LaunchSeconds => LaunchOverheadUs * 1e-6;

        public ProfileDevice With(int count, double? hourlyUsd, bool fromCatalog)
        {
            var copy = (ProfileDevice)MemberwiseClone();
            copy.Count = count;
            copy.HourlyUsd = hourlyUsd;
            copy.FromCatalog = fromCatalog;
            return copy;
        }
    }

    /// <summary>A catalog file: its version, its source texts by id and its devices.</summary>
    internal sealed class CatalogFile
    {
        public string Version = "unversioned";
        public Dictionary<string, string> Sources = new Dictionary<string, string>(StringComparer.Ordinal);
        public List<ProfileDevice> Devices = new List<ProfileDevice>();

        /// <summary>The devices by name (case-insensitive).</summary>
        public Dictionary<string, ProfileDevice> ByName()
        {
            var map = new Dictionary<string, ProfileDevice>(StringComparer.OrdinalIgnoreCase);
            foreach (var d in Devices)
            {
                map[d.Name] = d;
            }

            return map;
        }
    }

    /// <summary>A profile file: its devices with counts and prices, and its price reading (null: the default).</summary>
    internal sealed class ProfileFile
    {
        public string? Pricing;
        public List<ProfileDevice> Devices = new List<ProfileDevice>();
    }

    /// <summary>A catalog or profile problem: the device entry and field it concerns, and its position in the file.</summary>
    internal sealed class ProfileException : Exception
    {
        public ProfileException(string? entry, string? field, string problem, int offset, int length, int line, int column)
            : base((entry is null ? "" : "device " + entry + ", ") + (field is null ? "" : "field '" + field + "': ") + problem)
        {
            Entry = entry;
            Field = field;
            Problem = problem;
            Offset = offset;
            Length = length;
            Line = line;
            Column = column;
        }

        /// <summary>The device entry (<c>'name'</c>, or <c>#index</c> before the name is known), when the problem is in one.</summary>
        public string? Entry { get; }

        /// <summary>The field, when the problem is in one.</summary>
        public string? Field { get; }

        /// <summary>What is wrong, without the entry and field.</summary>
        public string Problem { get; }

        public int Offset { get; }

        public int Length { get; }

        public int Line { get; }

        public int Column { get; }
    }

    internal static class ProfileReader
    {
        /// <summary>The price readings a profile may name (AgentDsl.Planning.Tco.PriceReading; a test keeps them equal).</summary>
        public static readonly string[] PriceReadings = { "FirstPrinciples", "PaperOperatingCost", "Rental", "FinancedPlusOperatingCost" };

        /// <summary>The figures a catalog must state, each with a source (pass 2); a profile may leave out fp8Tflops and powerW.</summary>
        private static readonly string[] CatalogFigures = { "fp32Tflops", "fp16Tflops", "fp8Tflops", "memoryGB", "memoryBandwidthGBs", "hostLink", "powerW" };

        private static readonly string[] OptionalFigures = { "deviceLink", "priceUsd", "rentalUsdPerHour", "operatingUsdPerHour", "launchOverheadUs" };

        /// <summary>The device kinds a file may name (one each; names as the enum spells them, case ignored).</summary>
        private static readonly DeviceKinds[] Kinds = { DeviceKinds.Cpu, DeviceKinds.Gpu, DeviceKinds.Accelerator, DeviceKinds.Remote };

        /// <summary>A catalog file: pass 1 (the device schema) for each device, then pass 2 (the catalog's rules).</summary>
        public static CatalogFile ReadCatalog(string json)
        {
            var root = Parse(json);
            var catalog = new CatalogFile();
            var devices = Required(root, "devices", JsonKind.Array, "the file must be an object with a 'devices' array");
            if (root["version"] is { Kind: JsonKind.String } version)
            {
                catalog.Version = version.String;
            }

            if (root["sources"] is { Kind: JsonKind.Object } sources)
            {
                foreach (var s in sources.Members)
                {
                    catalog.Sources[s.Key] = s.Value.Kind == JsonKind.String ? s.Value.String : throw At(s.Value, null, "sources." + s.Key, "must be a string");
                }
            }

            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < devices.Items.Count; i++)
            {
                var entry = devices.Items[i];
                var device = Device(entry, i);
                CatalogRules(entry, device);
                if (!names.Add(device.Name))
                {
                    throw At(entry["name"]!, "'" + device.Name + "'", "name", "two entries have this name");
                }

                catalog.Devices.Add(device);
            }

            return catalog;
        }

        /// <summary>A profile: catalog names with counts, or full specs (pass 1 only: a spec need not cite sources).</summary>
        public static ProfileFile ReadProfile(string json, Dictionary<string, ProfileDevice> catalog)
        {
            var root = Parse(json);
            var profile = new ProfileFile();
            var devices = Required(root, "devices", JsonKind.Array, "a profile is an object with a 'devices' array");
            if (root["pricing"] is { } pricing)
            {
                int reading = pricing.Kind == JsonKind.String ? IndexOfIgnoreCase(PriceReadings, pricing.String) : -1;
                if (reading < 0)
                {
                    throw At(pricing, null, "pricing", Describe(pricing) + " is not one of " + string.Join(", ", PriceReadings));
                }

                profile.Pricing = PriceReadings[reading];
            }

            for (int i = 0; i < devices.Items.Count; i++)
            {
                var entry = devices.Items[i];
                string where = "#" + i;
                if (entry.Kind != JsonKind.Object)
                {
                    throw At(entry, where, null, "a device entry must be an object");
                }

                int count = 1;
                if (entry["count"] is { } c)
                {
                    if (c.Kind != JsonKind.Number || c.Number < 1 || c.Number > int.MaxValue || c.Number != Math.Floor(c.Number))
                    {
                        throw At(c, where, "count", "must be a positive integer");
                    }

                    count = (int)c.Number;
                }

                ProfileDevice device;
                if (entry["catalog"] is { } name)
                {
                    if (name.Kind != JsonKind.String)
                    {
                        throw At(name, where, "catalog", "must be a device name (a string)");
                    }

                    if (!catalog.TryGetValue(name.String, out device!))
                    {
                        throw At(name, where, "catalog", $"no catalog device '{name.String}' (known: {string.Join(", ", Sorted(catalog.Keys))})");
                    }
                }
                else if (entry["spec"] is { } spec)
                {
                    device = Device(spec, i);
                }
                else
                {
                    throw At(entry, where, "catalog", "each device names a 'catalog' entry or gives a full 'spec'");
                }

                double? hourly = null;
                if (entry["hourlyUsd"] is { } h)
                {
                    hourly = h.Kind == JsonKind.Number && IsFinite(h.Number) && h.Number >= 0 ? h.Number : throw At(h, "'" + device.Name + "'", "hourlyUsd", "must be a non-negative number");
                }

                profile.Devices.Add(device.With(count, hourly, fromCatalog: entry["catalog"] is not null));
            }

            return profile;
        }

        private static JsonNode Parse(string json)
        {
            try
            {
                return MiniJson.Parse(json);
            }
            catch (JsonSyntaxException ex)
            {
                string problem = ex.Message.StartsWith("not valid text", StringComparison.Ordinal) ? ex.Message : "not valid JSON: " + ex.Message;
                throw new ProfileException(null, null, problem, ex.Offset, 1, ex.Line, ex.Column);
            }
        }

        /// <summary>Pass 1, the device schema: a name; fp32, fp16 (dense), memory, bandwidth and host link required; the rest optional.</summary>
        private static ProfileDevice Device(JsonNode e, int index)
        {
            string entry = "#" + index;
            if (e.Kind != JsonKind.Object)
            {
                throw At(e, entry, null, "a device entry must be an object");
            }

            var name = e["name"];
            if (name is not { Kind: JsonKind.String } || name.String.Length == 0)
            {
                throw At(name ?? e, entry, "name", "missing or empty");
            }

            entry = "'" + name.String + "'";
            var d = new ProfileDevice { Name = name.String };
            if (e["vendor"] is { Kind: JsonKind.String } vendor)
            {
                d.Vendor = vendor.String;
            }

            if (e["kind"] is { } kind)
            {
                int k = kind.Kind == JsonKind.String ? Array.FindIndex(Kinds, x => string.Equals(x.ToString(), kind.String, StringComparison.OrdinalIgnoreCase)) : -1;
                if (k < 0)
                {
                    throw At(kind, entry, "kind", $"{Describe(kind)} is not one of {string.Join(", ", Kinds)}");
                }

                d.Kind = Kinds[k];
            }

            foreach (var field in CatalogFigures)
            {
                Figure(e, entry, field, d.Sources);
            }

            foreach (var field in OptionalFigures)
            {
                Figure(e, entry, field, d.Sources);
            }

            d.Fp32Tflops = Number(e, entry, "fp32Tflops", "value", required: true)!.Value;
            d.Fp16Tflops = Number(e, entry, "fp16Tflops", "dense", required: true)!.Value;
            d.Fp16SparseTflops = Number(e, entry, "fp16Tflops", "sparse", required: false);
            d.Fp8Tflops = Number(e, entry, "fp8Tflops", "dense", required: false) ?? Number(e, entry, "fp8Tflops", "value", required: false);
            d.MemoryGB = Number(e, entry, "memoryGB", "value", required: true)!.Value;
            d.MemoryBandwidthGBs = Number(e, entry, "memoryBandwidthGBs", "value", required: true)!.Value;
            d.HostLinkGBs = Number(e, entry, "hostLink", "bandwidthGBs", required: true)!.Value;
            d.HostLinkLatencyUs = Number(e, entry, "hostLink", "latencyUs", required: false) ?? 2;
            d.DeviceLinkGBs = Number(e, entry, "deviceLink", "bandwidthGBs", required: false);
            d.DeviceLinkLatencyUs = Number(e, entry, "deviceLink", "latencyUs", required: false) ?? 1;
            d.PowerW = Number(e, entry, "powerW", "value", required: false);
            d.PriceUsd = Number(e, entry, "priceUsd", "value", required: false);
            d.RentalUsdPerHour = Number(e, entry, "rentalUsdPerHour", "value", required: false);
            d.OperatingUsdPerHour = Number(e, entry, "operatingUsdPerHour", "value", required: false);
            d.LaunchOverheadUs = Number(e, entry, "launchOverheadUs", "value", required: false) ?? (d.Kind == DeviceKinds.Cpu ? 1 : 10);
            d.SupportsFp64 = Flag(e, entry, "supportsFp64");
            d.SupportsFp16 = Flag(e, entry, "supportsFp16");
            return d;
        }

        /// <summary>Pass 2, the catalog's rules: every figure of <see cref="CatalogFigures"/> stated (null with a note when not known) and each figure cites its source.</summary>
        private static void CatalogRules(JsonNode e, ProfileDevice d)
        {
            string entry = "'" + d.Name + "'";
            foreach (var field in CatalogFigures)
            {
                if (e[field] is null)
                {
                    throw At(e, entry, field, "missing (write { \"value\": null, \"note\": \"...\" } for a figure that is not known)");
                }
            }

            if (d.PowerW is null)
            {
                throw At(e["powerW"]!, entry, "powerW.value", "required in a catalog (the TCO study prices energy by it)");
            }

            foreach (var member in e.Members)
            {
                if (member.Value.Kind == JsonKind.Object && (Array.IndexOf(CatalogFigures, member.Key) >= 0 || Array.IndexOf(OptionalFigures, member.Key) >= 0)
                    && member.Value["source"] is null && member.Value["note"] is null)
                {
                    throw At(member.Value, entry, member.Key, "a figure must cite its 'source' (or carry a 'note')");
                }
            }
        }

        /// <summary>A figure is an object such as { "value": 80, "source": "S2" }; its source is kept.</summary>
        private static void Figure(JsonNode e, string entry, string field, Dictionary<string, string> sources)
        {
            var figure = e[field];
            if (figure is null)
            {
                return;
            }

            if (figure.Kind != JsonKind.Object)
            {
                throw At(figure, entry, field, "must be an object such as { \"value\": 80, \"source\": \"S2\" }");
            }

            if (figure["source"] is { Kind: JsonKind.String } source)
            {
                sources[field] = source.String;
            }
        }

        private static double? Number(JsonNode e, string entry, string field, string property, bool required)
        {
            var figure = e[field];
            var value = figure?[property];
            if (value is null || value.Kind == JsonKind.Null)
            {
                if (required)
                {
                    throw At(value ?? figure ?? e, entry, figure is null ? field : field + "." + property,
                        figure is null ? $"missing (an object such as {{ \"{property}\": 80, \"source\": \"...\" }})" : "required, and missing or null");
                }

                return null;
            }

            if (value.Kind != JsonKind.Number || !IsFinite(value.Number) || value.Number < 0)
            {
                throw At(value, entry, field + "." + property, "must be a non-negative number, not " + Describe(value));
            }

            return value.Number;
        }

        private static bool Flag(JsonNode e, string entry, string field)
        {
            var value = e[field];
            if (value is null)
            {
                return true;
            }

            return value.Kind == JsonKind.Bool ? value.Bool : throw At(value, entry, field, "must be true or false");
        }

        private static JsonNode Required(JsonNode root, string name, JsonKind kind, string problem)
        {
            var value = root.Kind == JsonKind.Object ? root[name] : null;
            return value is not null && value.Kind == kind ? value : throw At(value ?? root, null, name, problem);
        }

        private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

        private static int IndexOfIgnoreCase(string[] names, string text)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (names[i].Length > 0 && string.Equals(names[i], text, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }

        private static string Describe(JsonNode node) => node.Kind switch
        {
            JsonKind.String => "'" + node.String + "'",
            JsonKind.Number => double.IsInfinity(node.Number) ? "a number beyond double's range" : node.Number.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            _ => "a " + node.Kind.ToString().ToLowerInvariant(),
        };

        private static ProfileException At(JsonNode node, string? entry, string? field, string problem) =>
            new ProfileException(entry, field, problem, node.Offset, Math.Max(1, node.Length), node.Line, node.Column);

        private static List<string> Sorted(IEnumerable<string> names)
        {
            var list = new List<string>(names);
            list.Sort(StringComparer.Ordinal);
            return list;
        }
    }
}
