using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using AgentDsl.Planning;
using AgentDsl.Planning.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Analyzers.Tests;

/// <summary>
/// One device schema: each profile goes through the build-time path (the placement analyzer on <c>agentdsl.hardware.json</c>:
/// ADSL0205 or not, and the figures its reader gives) and the run-time path (<see cref="HardwareProfile.Parse"/>, as
/// <c>agentdsl plan --profile</c> reads it); both give the same verdict and, when they accept, the same figures.
/// </summary>
public class SchemaAgreementTests
{
    private const string Figures = """
        "fp32Tflops": { "value": 10 }, "fp16Tflops": { "dense": 100 }, "memoryGB": { "value": 16 },
        "memoryBandwidthGBs": { "value": 400 }, "hostLink": { "bandwidthGBs": 16 }
        """;

    public static TheoryData<string, string, bool> Profiles() => new()
    {
        { "catalog names, counts, a price and a reading", """{ "devices": [ { "catalog": "EPYC-9654" }, { "catalog": "h100-sxm", "count": 2, "hourlyUsd": 2.5 } ], "pricing": "rental" }""", true },
        // issue 13, point 4: no fp8Tflops, no powerW, no sources. The build accepted it and `agentdsl plan --profile` rejected it.
        { "a spec without fp8Tflops, powerW or sources", """{ "devices": [ { "spec": { "name": "Npu", "kind": "Accelerator", FIGURES } } ] }""", true },
        { "a full spec", """
            // comments and trailing commas are allowed
            { "devices": [ { "spec": { "name": "Npu2", "vendor": "Lab", "kind": "Accelerator", "supportsFp64": false, "supportsFp16": true,
              "fp32Tflops": { "value": 12.5, "source": "lab" }, "fp16Tflops": { "dense": 150, "sparse": 300 }, "fp8Tflops": { "dense": 600 },
              "memoryGB": { "value": 48 }, "memoryBandwidthGBs": { "value": 900 }, "hostLink": { "bandwidthGBs": 32, "latencyUs": 3 },
              "deviceLink": { "bandwidthGBs": 100, "latencyUs": 0.5 }, "powerW": { "value": 300 }, "priceUsd": { "value": 9000 },
              "rentalUsdPerHour": { "value": 1.2 }, "operatingUsdPerHour": { "value": 0.3 }, "launchOverheadUs": { "value": 4 }, }, "count": 3, }, ], }
            """, true },
        { "a Cpu spec takes the CPU launch default", """{ "devices": [ { "spec": { "name": "MyCpu", "kind": "cpu", FIGURES } } ] }""", true },
        { "a spec without memoryBandwidthGBs", """{ "devices": [ { "spec": { "name": "Npu", "fp32Tflops": { "value": 10 }, "fp16Tflops": { "dense": 100 }, "memoryGB": { "value": 16 }, "hostLink": { "bandwidthGBs": 16 } } } ] }""", false },
        { "a spec whose fp16Tflops has no dense figure", """{ "devices": [ { "spec": { "name": "Npu", "fp32Tflops": { "value": 10 }, "fp16Tflops": { "value": 100 }, "memoryGB": { "value": 16 }, "memoryBandwidthGBs": { "value": 400 }, "hostLink": { "bandwidthGBs": 16 } } } ] }""", false },
        { "an unknown kind", """{ "devices": [ { "spec": { "name": "Npu", "kind": "Tpu", FIGURES } } ] }""", false },
        { "an empty name", """{ "devices": [ { "spec": { "name": "", FIGURES } } ] }""", false },
        { "a negative figure", """{ "devices": [ { "spec": { "name": "Npu", FIGURES, "powerW": { "value": -5 } } } ] }""", false },
        { "a figure that is not an object", """{ "devices": [ { "spec": { "name": "Npu", FIGURES, "fp8Tflops": 400 } } ] }""", false },
        { "a flag that is not a bool", """{ "devices": [ { "spec": { "name": "Npu", FIGURES, "supportsFp64": "yes" } } ] }""", false },
        { "a count of zero", """{ "devices": [ { "catalog": "L4", "count": 0 } ] }""", false },
        { "a negative hourly price", """{ "devices": [ { "catalog": "L4", "hourlyUsd": -1 } ] }""", false },
        { "an unknown price reading", """{ "devices": [ { "catalog": "L4" } ], "pricing": "Cheapest" }""", false },
        { "an unknown catalog device", """{ "devices": [ { "catalog": "H9000" } ] }""", false },
        { "an entry with neither catalog nor spec", """{ "devices": [ { "count": 2 } ] }""", false },
        { "no devices array", """{ "device": [] }""", false },
        { "bad JSON", """{ "devices": [ { "catalog": "L4" } { "catalog": "A40" } ] }""", false },
        { "a number beyond double's range", """{ "devices": [ { "spec": { "name": "Npu", FIGURES, "priceUsd": { "value": 1e400 } } } ] }""", false },
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task BuildTimeAndRunTime_GiveTheSameVerdictAndFigures(string what, string template, bool valid)
    {
        string json = template.Replace("FIGURES", Figures, StringComparison.Ordinal);

        // Run time: the planning library, as `agentdsl plan --profile` reads the file.
        HardwareProfile? runtime = null;
        CatalogException? runtimeError = null;
        try
        {
            runtime = HardwareProfile.Parse(json, "agentdsl.hardware.json");
        }
        catch (CatalogException ex)
        {
            runtimeError = ex;
        }

        // Build time: the placement analyzer's diagnostics on the same file, and the figures its reader gives.
        var diagnostics = await AnalyzeAsync(json);
        bool buildAccepts = !diagnostics.Any(d => d.Id == "ADSL0205");

        Assert.True(valid == (runtimeError is null), $"{what}: run time {(runtimeError is null ? "accepts" : "rejects: " + runtimeError.Message)}, expected {(valid ? "accept" : "reject")}");
        Assert.True(valid == buildAccepts, $"{what}: build time {(buildAccepts ? "accepts" : "rejects: " + diagnostics.First(d => d.Id == "ADSL0205").GetMessage())}, expected {(valid ? "accept" : "reject")}");
        if (!valid)
        {
            return;
        }

        var build = BuildTimeDevices(json);
        Assert.Equal(runtime!.Devices.Count, build.Count);
        for (int i = 0; i < build.Count; i++)
        {
            var (spec, count) = runtime.Devices[i];
            var device = build[i];
            Assert.Equal(spec.Name, Get<string>(device, "Name"));
            Assert.Equal((int)spec.Kind, Get<int>(device, "Kind"));
            Assert.Equal(count, Get<int>(device, "Count"));
            Assert.Equal(runtime.HourlyOverrides.TryGetValue(spec.Name, out double h) ? h : null, Get<double?>(device, "HourlyUsd"));
            foreach (var property in typeof(DeviceSpec).GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.Name is not "Name" and not "Kind" and not "Sources" and not "EqualityContract"))
            {
                // The same schema field under the same name, or the same derived figure (bytes, bytes/s).
                string name = property.Name switch { "MemoryBytesPerSecond" => "BandwidthBytesPerSecond", _ => property.Name };
                object? expected = property.GetValue(spec);
                object? actual = Member(device, name);
                Assert.True(Equals(expected, actual), $"{what}, {spec.Name}.{property.Name}: run time {expected}, build time {actual}");
            }

            Assert.Equal(spec.Sources.OrderBy(s => s.Key), Get<Dictionary<string, string>>(device, "Sources").OrderBy(s => s.Key));
        }
    }

    [Fact]
    public void PriceReadings_TheSchemaAccepts_AreTheEnumsNames()
    {
        var names = (string[])ReaderType().GetField("PriceReadings")!.GetValue(null)!;
        Assert.Equal(Enum.GetNames<AgentDsl.Planning.Tco.PriceReading>(), names);
    }

    [Fact]
    public void ShippedCatalog_ReadAtBuildTime_HasTheRunTimeFigures()
    {
        using var stream = typeof(PlacementAnalyzer).Assembly.GetManifestResourceStream("AgentDsl.Analyzers.hardware-catalog.json")!;
        using var reader = new StreamReader(stream);
        var catalog = ReaderType().GetMethod("ReadCatalog")!.Invoke(null, [reader.ReadToEnd()])!;
        var devices = ((IEnumerable)catalog.GetType().GetField("Devices")!.GetValue(catalog)!).Cast<object>().ToList();
        Assert.Equal(HardwareCatalog.Default.Devices.Count, devices.Count);
        foreach (var device in devices)
        {
            var spec = HardwareCatalog.Default[Get<string>(device, "Name")];
            Assert.Equal(spec.MemoryBytes, Get<double>(device, "MemoryBytes"));
            Assert.Equal(spec.Fp8Tflops, Get<double?>(device, "Fp8Tflops"));
            Assert.Equal(spec.PowerW, Get<double?>(device, "PowerW"));
            Assert.Equal(spec.LaunchOverheadUs, Get<double>(device, "LaunchOverheadUs"));
        }
    }

    /// <summary>The reader compiled into the analyzer assembly (shared source), as the analyzer calls it.</summary>
    private static Type ReaderType() => typeof(PlacementAnalyzer).Assembly.GetType("AgentDsl.Planning.Shared.ProfileReader", throwOnError: true)!;

    private static List<object> BuildTimeDevices(string json)
    {
        var reader = ReaderType();
        var catalogField = typeof(PlacementAnalyzer).GetField("Catalog", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        var catalog = catalogField.GetType().GetProperty("Value")!.GetValue(catalogField)!;
        var profile = reader.GetMethod("ReadProfile")!.Invoke(null, [json, catalog])!;
        return ((IEnumerable)profile.GetType().GetField("Devices")!.GetValue(profile)!).Cast<object>().ToList();
    }

    private static object? Member(object o, string name) =>
        o.GetType().GetField(name) is { } f ? f.GetValue(o) : o.GetType().GetProperty(name) is { } p ? p.GetValue(o) : throw new MissingMemberException(o.GetType().Name, name);

    private static T Get<T>(object o, string name) => (T)Member(o, name)!;

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string profile)
    {
        var compilation = Compilations.Create("""
            using AgentDsl;

            [AgentGraph]
            public partial class Agent
            {
                [Flow]
                public string Run(string q) => A(q);

                [Operator] public string A(string s) => s;
            }
            """);
        var options = new AnalyzerOptions([new Text("agentdsl.hardware.json", profile)]);
        return await compilation.WithAnalyzers([new PlacementAnalyzer()], options).GetAnalyzerDiagnosticsAsync();
    }

    private sealed class Text(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
