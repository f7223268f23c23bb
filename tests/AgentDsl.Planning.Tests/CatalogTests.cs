using AgentDsl.Planning.Catalog;
using Xunit;

namespace AgentDsl.Planning.Tests;

public class CatalogTests
{
    [Theory]
    [InlineData("A40")]
    [InlineData("A100-80GB")]
    [InlineData("H100-SXM")]
    [InlineData("B200")]
    [InlineData("MI300X")]
    [InlineData("Gaudi3")]
    [InlineData("H200-SXM")]
    [InlineData("L40S")]
    [InlineData("L4")]
    [InlineData("EPYC-9654")]
    public void DefaultCatalog_HasTheDevice_WithEveryRequiredFigureSourced(string name)
    {
        var d = HardwareCatalog.Default[name];
        Assert.True(d.Fp32Tflops > 0 && d.Fp16Tflops > 0 && d.MemoryGB > 0 && d.MemoryBandwidthGBs > 0 && d.HostLinkGBs > 0 && d.PowerW > 0);
        foreach (var field in new[] { "fp32Tflops", "fp16Tflops", "memoryGB", "memoryBandwidthGBs", "hostLink", "powerW" })
        {
            Assert.True(d.Sources.ContainsKey(field), $"{name}.{field} cites no source");
        }

        foreach (var (field, source) in d.Sources)
        {
            var ids = System.Text.RegularExpressions.Regex.Matches(source, @"\b[SPRDA]\d+b?\b").Select(m => m.Value).ToList();
            Assert.True(ids.Count > 0, $"{name}.{field}: '{source}' names no source id");
            Assert.All(ids, id => Assert.True(HardwareCatalog.Default.Sources.ContainsKey(id), $"{name}.{field} cites {id}, which the catalog does not list"));
        }
    }

    [Fact]
    public void PublishedFigures_AreTheDatasheetOnes()
    {
        var h100 = HardwareCatalog.Default["H100-SXM"];
        Assert.Equal(989.4, h100.Fp16Tflops);         // dense, not the 1,979 sparse datasheet headline
        Assert.Equal(1978.9, h100.Fp16SparseTflops);
        Assert.Equal(3350, h100.MemoryBandwidthGBs);
        Assert.Equal(25000, h100.PriceUsd);
        Assert.Null(HardwareCatalog.Default["A100-80GB"].Fp8Tflops);
        Assert.Equal(HardwareCatalog.Default["A100-80GB"].Fp16Tflops * 1e12, HardwareCatalog.Default["A100-80GB"].PeakFlops(Precision.Fp8)); // no FP8: runs at FP16 rate
    }

    [Fact]
    public void MissingField_NamesFileEntryAndField()
    {
        var error = Assert.Throws<CatalogException>(() => HardwareCatalog.Parse("""
            { "devices": [ { "name": "X1", "kind": "Gpu",
              "fp32Tflops": { "value": 1, "source": "mine" }, "fp16Tflops": { "dense": 2, "source": "mine" }, "fp8Tflops": { "value": null, "note": "none" },
              "memoryGB": { "value": 8, "source": "mine" }, "hostLink": { "bandwidthGBs": 16, "source": "mine" }, "powerW": { "value": 100, "source": "mine" } } ] }
            """, "my-devices.json"));
        Assert.Equal("my-devices.json", error.File);
        Assert.Equal("'X1'", error.Entry);
        Assert.Equal("memoryBandwidthGBs", error.Field);
        Assert.Contains("my-devices.json: device 'X1', field 'memoryBandwidthGBs'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"value\": \"fast\", \"source\": \"x\" }", "fp32Tflops.value", "non-negative number")]
    [InlineData("{ \"value\": -3, \"source\": \"x\" }", "fp32Tflops.value", "non-negative number")]
    [InlineData("{ \"value\": 3 }", "fp32Tflops", "cite its 'source'")]
    [InlineData("12", "fp32Tflops", "must be an object")]
    public void BadFigure_IsRejectedWithTheField(string figure, string field, string problem)
    {
        string json = """
            { "devices": [ { "name": "X1", "kind": "Gpu", "fp32Tflops": FIGURE, "fp16Tflops": { "dense": 2, "source": "m" },
              "fp8Tflops": { "value": null, "note": "none" }, "memoryGB": { "value": 8, "source": "m" }, "memoryBandwidthGBs": { "value": 100, "source": "m" },
              "hostLink": { "bandwidthGBs": 16, "source": "m" }, "powerW": { "value": 100, "source": "m" } } ] }
            """.Replace("FIGURE", figure, StringComparison.Ordinal);
        var error = Assert.Throws<CatalogException>(() => HardwareCatalog.Parse(json, "f.json"));
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJson_ReportsTheLine()
    {
        var error = Assert.Throws<CatalogException>(() => HardwareCatalog.Parse("{\n \"devices\": [ ,\n", "broken.json"));
        Assert.Contains("broken.json", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("broken.json(2,", error.Message, StringComparison.Ordinal); // file(line,column), as the build-time ADSL0205 places it
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void UserDevices_MergeIntoTheCatalog()
    {
        var mine = HardwareCatalog.Parse("""
            { "version": "mine-1", "devices": [ { "name": "MyNpu", "kind": "Accelerator", "fp32Tflops": { "value": 10, "source": "lab" },
              "fp16Tflops": { "dense": 200, "source": "lab" }, "fp8Tflops": { "dense": 400, "source": "lab" }, "memoryGB": { "value": 32, "source": "lab" },
              "memoryBandwidthGBs": { "value": 1000, "source": "lab" }, "hostLink": { "bandwidthGBs": 32, "latencyUs": 3, "source": "lab" },
              "powerW": { "value": 150, "source": "lab" }, "priceUsd": { "value": 4000, "source": "lab" } } ] }
            """, "mine.json");
        var merged = HardwareCatalog.Default.Merge(mine);
        Assert.True(merged.Contains("MyNpu"));
        Assert.True(merged.Contains("H100-SXM"));
        Assert.Equal(400e12, merged["MyNpu"].PeakFlops(Precision.Fp8));
        Assert.Equal(3, merged["MyNpu"].HostLinkLatencyUs);
        Assert.Contains("Known:", Assert.Throws<KeyNotFoundException>(() => merged["Nope"]).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"None\"")]
    [InlineData("\"Any\"")]
    [InlineData("\"3\"")]
    [InlineData("\"Cpu, Gpu\"")]
    [InlineData("2")]
    public void ProfileSpec_EmptyOrUnknownKind_IsRejectedNamingTheFileEntryAndField(string kind)
    {
        static string Profile(string kind) => """
            { "devices": [ { "spec": { "name": "Npu", "kind": KIND, "fp32Tflops": { "value": 10, "source": "lab" },
              "fp16Tflops": { "dense": 100, "source": "lab" }, "fp8Tflops": { "value": null, "note": "none" }, "memoryGB": { "value": 16, "source": "lab" },
              "memoryBandwidthGBs": { "value": 400, "source": "lab" }, "hostLink": { "bandwidthGBs": 16, "source": "lab" }, "powerW": { "value": 50, "source": "lab" } } } ] }
            """.Replace("KIND", kind, StringComparison.Ordinal);
        var error = Assert.Throws<CatalogException>(() => HardwareProfile.Parse(Profile(kind), "agentdsl.hardware.json"));
        Assert.Equal("agentdsl.hardware.json", error.File);
        Assert.Equal("'Npu'", error.Entry);
        Assert.Equal("kind", error.Field);
        Assert.True(HardwareProfile.Parse(Profile("\"accelerator\""), "p.json").Devices.Single().Spec.Kind == DeviceKinds.Accelerator);
    }

    [Fact]
    public void DeeplyNestedProfile_IsRejectedNamingTheFile()
    {
        string json = "{ \"devices\": [ { \"spec\": " + new string('[', 100_000) + new string(']', 100_000) + " } ] }";
        var error = Assert.Throws<CatalogException>(() => HardwareProfile.Parse(json, "deep.json"));
        Assert.StartsWith("deep.json(1,", error.Message, StringComparison.Ordinal);
        Assert.Contains("depth", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{ "devices": [ 1.5 ] }""", "#0")]
    [InlineData("""{ "devices": [ { "catalog": 7 } ] }""", "catalog")]
    [InlineData("""{ "devices": [ { "catalog": "L4", "count": "two" } ] }""", "count")]
    [InlineData("""{ "devices": [ { "catalog": "L4", "hourlyUsd": "cheap" } ] }""", "hourlyUsd")]
    [InlineData("""{ "devices": [ { "catalog": "L4", "hourlyUsd": 1e400 } ] }""", "hourlyUsd")]
    [InlineData("""{ "devices": [], "pricing": 3 }""", "pricing")]
    [InlineData("""{ "devices": [], "pricing": "2" }""", "pricing")]
    public void Profile_WrongTypesAndBadText_AreCatalogExceptionsNamingTheField(string json, string field)
    {
        // Found by the JSON fuzzer (tests/AgentDsl.Fuzz.Tests): these threw InvalidOperationException or ArgumentException.
        var error = Assert.Throws<CatalogException>(() => HardwareProfile.Parse(json, "p.json"));
        Assert.Equal("p.json", error.File);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "devices": [], "sources": { "S1": 5 } }""", "sources.S1")]
    public void Catalog_WrongTypesAndBadText_AreCatalogExceptions(string json, string field)
    {
        var error = Assert.Throws<CatalogException>(() => HardwareCatalog.Parse(json, "c.json"));
        Assert.Equal("c.json", error.File);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneSurrogateInTheText_IsACatalogException()
    {
        // Not as InlineData: test discovery would replace the lone surrogate.
        string json = "{ \"devices\": [], \"x\": \"" + '\ud800' + "\" }";
        Assert.Contains("not valid text", Assert.Throws<CatalogException>(() => HardwareProfile.Parse(json, "p.json")).Message, StringComparison.Ordinal);
        Assert.Contains("not valid text", Assert.Throws<CatalogException>(() => HardwareCatalog.Parse(json, "c.json")).Message, StringComparison.Ordinal);
    }
}
