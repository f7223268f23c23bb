// Shared source for the analyzers: reads the hardware catalog and an agentdsl.hardware.json profile with
// MiniJson, keeping positions so that errors point at the file, line and column.
#nullable enable
using System;
using System.Collections.Generic;

namespace AgentDsl.Planning.Shared
{
    /// <summary>A device type of a profile, with the figures the placement checks use.</summary>
    internal sealed class ProfileDevice
    {
        public string Name = "";
        public int Kind = 2; // DeviceKinds.Gpu
        public double Fp32Tflops;
        public double Fp16Tflops;
        public double? Fp8Tflops;
        public double MemoryBytes;
        public double BandwidthBytesPerSecond;
        public double HostLinkBytesPerSecond;
        public double HostLatencySeconds = 2e-6;
        public double LaunchSeconds = 10e-6;
        public bool SupportsFp64 = true;
        public bool SupportsFp16 = true;
        public int Count = 1;

        public ProfileDevice With(int count)
        {
            var copy = (ProfileDevice)MemberwiseClone();
            copy.Count = count;
            return copy;
        }
    }

    /// <summary>A profile or catalog problem, with its position in the file.</summary>
    internal sealed class ProfileException : Exception
    {
        public ProfileException(string message, int offset, int length, int line, int column)
            : base(message)
        {
            Offset = offset;
            Length = length;
            Line = line;
            Column = column;
        }

        public int Offset { get; }

        public int Length { get; }

        public int Line { get; }

        public int Column { get; }
    }

    internal static class ProfileReader
    {
        private static readonly string[] Kinds = { "None", "Cpu", "Gpu", "", "Accelerator", "", "", "", "Remote" };

        /// <summary>The devices of a catalog file, by name (case-insensitive).</summary>
        public static Dictionary<string, ProfileDevice> ReadCatalog(string json)
        {
            var root = MiniJson.Parse(json);
            var devices = new Dictionary<string, ProfileDevice>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in Required(root, "devices", JsonKind.Array).Items)
            {
                var d = Device(entry);
                devices[d.Name] = d;
            }

            return devices;
        }

        /// <summary>The devices of a profile: catalog names with counts, or full specs in the catalog format.</summary>
        public static List<ProfileDevice> ReadProfile(string json, Dictionary<string, ProfileDevice> catalog)
        {
            JsonNode root;
            try
            {
                root = MiniJson.Parse(json);
            }
            catch (JsonSyntaxException ex)
            {
                throw new ProfileException("not valid JSON: " + ex.Message, ex.Offset, 1, ex.Line, ex.Column);
            }

            var result = new List<ProfileDevice>();
            foreach (var entry in Required(root, "devices", JsonKind.Array).Items)
            {
                int count = 1;
                if (entry["count"] is { } c)
                {
                    if (c.Kind != JsonKind.Number || c.Number < 1 || c.Number > int.MaxValue || c.Number != Math.Floor(c.Number))
                    {
                        throw At(c, "'count' must be a positive integer");
                    }

                    count = (int)c.Number;
                }

                if (entry["catalog"] is { } name)
                {
                    if (name.Kind != JsonKind.String || !catalog.TryGetValue(name.String, out var known))
                    {
                        throw At(name, $"no catalog device '{name.String}' (known: {string.Join(", ", Sorted(catalog.Keys))})");
                    }

                    result.Add(known.With(count));
                }
                else if (entry["spec"] is { } spec)
                {
                    result.Add(Device(spec).With(count));
                }
                else
                {
                    throw At(entry, "each device names a 'catalog' entry or gives a full 'spec'");
                }
            }

            return result;
        }

        private static ProfileDevice Device(JsonNode e)
        {
            var name = Required(e, "name", JsonKind.String);
            var d = new ProfileDevice { Name = name.String };
            if (e["kind"] is { } kind)
            {
                int k = kind.Kind == JsonKind.String ? Array.IndexOf(Kinds, kind.String) : -1;
                if (k <= 0 || Kinds[k].Length == 0)
                {
                    throw At(kind, $"'kind' must be Cpu, Gpu, Accelerator or Remote, not {(kind.Kind == JsonKind.String ? "'" + kind.String + "'" : "a " + kind.Kind.ToString().ToLowerInvariant())}");
                }

                d.Kind = k;
            }

            d.Fp32Tflops = Figure(e, "fp32Tflops", "value", required: true)!.Value;
            d.Fp16Tflops = Figure(e, "fp16Tflops", "dense", required: true)!.Value;
            d.Fp8Tflops = Figure(e, "fp8Tflops", "dense", required: false) ?? Figure(e, "fp8Tflops", "value", required: false);
            d.MemoryBytes = Figure(e, "memoryGB", "value", required: true)!.Value * 1e9;
            d.BandwidthBytesPerSecond = Figure(e, "memoryBandwidthGBs", "value", required: true)!.Value * 1e9;
            d.HostLinkBytesPerSecond = Figure(e, "hostLink", "bandwidthGBs", required: true)!.Value * 1e9;
            d.HostLatencySeconds = (Figure(e, "hostLink", "latencyUs", required: false) ?? 2) * 1e-6;
            d.LaunchSeconds = (Figure(e, "launchOverheadUs", "value", required: false) ?? (d.Kind == 1 ? 1 : 10)) * 1e-6;
            if (e["supportsFp64"] is { Kind: JsonKind.Bool } fp64)
            {
                d.SupportsFp64 = fp64.Bool;
            }

            if (e["supportsFp16"] is { Kind: JsonKind.Bool } fp16)
            {
                d.SupportsFp16 = fp16.Bool;
            }

            return d;
        }

        private static double? Figure(JsonNode device, string field, string property, bool required)
        {
            var figure = device[field];
            if (figure is null || figure.Kind != JsonKind.Object)
            {
                if (required)
                {
                    throw At(figure ?? device, $"device '{device["name"]?.String}': '{field}' is missing (an object such as {{ \"{property}\": 80, \"source\": \"...\" }})");
                }

                return null;
            }

            var value = figure[property];
            if (value is null || value.Kind == JsonKind.Null)
            {
                if (required)
                {
                    throw At(figure, $"device '{device["name"]?.String}': '{field}.{property}' is required");
                }

                return null;
            }

            if (value.Kind != JsonKind.Number || value.Number < 0)
            {
                throw At(value, $"device '{device["name"]?.String}': '{field}.{property}' must be a non-negative number");
            }

            return value.Number;
        }

        private static JsonNode Required(JsonNode node, string name, JsonKind kind)
        {
            var value = node.Kind == JsonKind.Object ? node[name] : null;
            if (value is null || value.Kind != kind)
            {
                throw At(value ?? node, $"'{name}' must be {(kind == JsonKind.Array ? "an array" : kind == JsonKind.String ? "a string" : "present")}");
            }

            return value;
        }

        private static ProfileException At(JsonNode node, string message) =>
            new ProfileException(message, node.Offset, Math.Max(1, node.Length), node.Line, node.Column);

        private static List<string> Sorted(IEnumerable<string> names)
        {
            var list = new List<string>(names);
            list.Sort(StringComparer.Ordinal);
            return list;
        }
    }
}
