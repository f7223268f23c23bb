using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Planning.Tests;

public class TcoTests(ITestOutputHelper output)
{
    private static readonly TcoStudy Study = TcoStudy.Default();

    [Fact]
    public void Financing_IsAnAnnuity_AndEnergyIsMaximumPower()
    {
        var a = new TcoAssumptions();
        Assert.Equal(7548.02, a.AnnualPayment(25_000), 2);                   // 25,000 · 0.08 / (1 − 1.08⁻⁴)
        Assert.Equal(0.28, a.EnergyPerHour(HardwareCatalog.Default["H100-SXM"]), 10); // 0.7 kW · $0.40
        Assert.Equal((7548.02 / 8760) + 0.28, a.HourlyCost(HardwareCatalog.Default["H100-SXM"]), 4);
        Assert.Equal(0.60, (a with { Reading = PriceReading.PaperOperatingCost }).HourlyCost(HardwareCatalog.Default["H100-SXM"]));
        var error = Assert.Throws<InvalidOperationException>(() => a.HourlyCost(HardwareCatalog.Default["L4"]));
        Assert.Contains("'L4'", error.Message, StringComparison.Ordinal);
        Assert.Contains("priceUsd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Study_CoversEveryPairOfEveryConfiguration_RelativeToTheBaseline()
    {
        var rows = Study.Run(HardwareCatalog.Default, DeviceReading.Datasheet, PriceReading.FirstPrinciples);
        Assert.Equal(16, rows.Count);                                        // 2 models × 2 precisions × 2 shapes × 2 regimes
        Assert.All(rows, r => Assert.Equal(36, r.Pairs.Count));              // 6 × 6 P::D pairs
        foreach (var row in rows)
        {
            var baseline = row.Baseline("H100-SXM", "H100-SXM");
            Assert.True(baseline.Feasible, row.Configuration.Label);
            Assert.Equal(1.0, baseline.Relative, 12);
            var winner = row.Winner!;
            Assert.True(winner.Relative <= 1.0);
            output.WriteLine($"{row.Configuration.Label,-40} winner {winner.Name,-22} {winner.Relative:0.000}  P {winner.PrefillStage}  D {winner.DecodeStage}");
        }
    }

    [Fact]
    public void InteractiveStages_MeetTheSla()
    {
        foreach (var row in Study.Run(HardwareCatalog.Default, DeviceReading.Datasheet, PriceReading.FirstPrinciples).Where(r => r.Configuration.Regime == SlaRegime.Interactive))
        {
            foreach (var pair in row.Pairs.Where(p => p.Feasible))
            {
                Assert.True(pair.PrefillStage!.LatencySeconds <= 0.250 + 1e-12);
                Assert.True(pair.DecodeStage!.LatencySeconds <= 0.020 + 1e-12);
            }
        }
    }

    [Fact]
    public void ACheaperDeviceWithEqualSpeed_NeverRaisesTco()
    {
        var serving = new LlmServingModel();
        var h100 = HardwareCatalog.Default["H100-SXM"];
        var cheaper = h100 with { Name = "H100-cheap", PriceUsd = h100.PriceUsd * 0.7 };
        var a = new TcoAssumptions();
        foreach (var c in Study.Configurations)
        {
            var p1 = serving.BestPrefill(h100, a.HourlyCost(h100), c.Model, c.Shape, c.Regime);
            var p2 = serving.BestPrefill(cheaper, a.HourlyCost(cheaper), c.Model, c.Shape, c.Regime);
            var d1 = serving.BestDecode(h100, a.HourlyCost(h100), c.Model, c.Shape, c.Regime);
            var d2 = serving.BestDecode(cheaper, a.HourlyCost(cheaper), c.Model, c.Shape, c.Regime);
            Assert.True(p2!.CostPerUnit <= p1!.CostPerUnit, c.Label);
            Assert.True(d2!.CostPerUnit <= d1!.CostPerUnit, c.Label);
        }
    }

    [Fact]
    public void ALooserSla_NeverRaisesTco()
    {
        var strict = new LlmServingModel { TtftLimit = 0.150, TbtLimit = 0.015 };
        var loose = new LlmServingModel { TtftLimit = 0.500, TbtLimit = 0.040 };
        var a = new TcoAssumptions();
        foreach (var device in Study.DeviceSpecs(HardwareCatalog.Default, DeviceReading.Datasheet))
        {
            foreach (var c in Study.Configurations.Where(c => c.Regime == SlaRegime.Interactive))
            {
                var ps = strict.BestPrefill(device, a.HourlyCost(device), c.Model, c.Shape, c.Regime);
                var pl = loose.BestPrefill(device, a.HourlyCost(device), c.Model, c.Shape, c.Regime);
                var ds = strict.BestDecode(device, a.HourlyCost(device), c.Model, c.Shape, c.Regime);
                var dl = loose.BestDecode(device, a.HourlyCost(device), c.Model, c.Shape, c.Regime);
                if (ps is not null)
                {
                    Assert.True(pl!.CostPerUnit <= ps.CostPerUnit, $"{device.Name} {c.Label} prefill");
                }

                if (ds is not null)
                {
                    Assert.True(dl!.CostPerUnit <= ds.CostPerUnit, $"{device.Name} {c.Label} decode");
                }
            }
        }
    }

    [Fact]
    public void ServingModel_MatchesHandComputedRoofline()
    {
        // 8B FP16 on one H100, batch 1, 512-token prompt: compute 2·8.03e9·512 / 989.4e12 = 8.31 ms; memory (16.06 GB + 64 MiB)/3.35 TB/s = 4.81 ms.
        var m = new LlmSpec("8B", 8.03e9, 32, 4096, 32, 8, Precision.Fp16);
        var (ttft, rps) = new LlmServingModel().Prefill(HardwareCatalog.Default["H100-SXM"], m, new TokenShape("s", 512, 128), 1, 1, 1)!.Value;
        Assert.Equal(2 * 8.03e9 * 512 / 989.4e12, ttft, 9);
        Assert.Equal(1 / ttft, rps, 9);
        // Decode at batch 1 is bandwidth-bound: (weights + KV of 576 tokens) / 3.35 TB/s.
        var (tbt, _) = new LlmServingModel().Decode(HardwareCatalog.Default["H100-SXM"], m, new TokenShape("s", 512, 128), 1, 1, 1)!.Value;
        Assert.Equal(((8.03e9 * 2) + (131_072.0 * 576)) / 3.35e12, tbt, 9);
        // 70B FP16 (141 GB) does not fit one 80 GB H100.
        var big = m with { Parameters = 70.6e9, Layers = 80, Hidden = 8192, Heads = 64 };
        Assert.Null(new LlmServingModel().Prefill(HardwareCatalog.Default["H100-SXM"], big, new TokenShape("s", 512, 128), 1, 1, 1));
    }
    [Fact]
    public void FinancedPlusOperatingCost_IsTheAnnuityOfThePricePlusTheOperatingColumn()
    {
        var a = new TcoAssumptions { Reading = PriceReading.FinancedPlusOperatingCost };
        // H100 by hand: 25,000 · 0.08 / (1 − 1.08⁻⁴) = 7,548.02 a year; / 8,760 h = 0.86165; + the column's 0.60.
        Assert.Equal((7548.02 / 8760) + 0.60, a.HourlyCost(HardwareCatalog.Default["H100-SXM"]), 4);
        foreach (var (name, t) in Study.PaperTable)
        {
            double annuity = t.Price * 0.08 / (1 - (1 / (1.08 * 1.08 * 1.08 * 1.08)));
            double expected = (annuity / (365 * 24)) + t.Operating;
            var spec = Study.DeviceSpecs(HardwareCatalog.Default, DeviceReading.PaperTable).Single(s => s.Name == name);
            Assert.Equal(expected, a.HourlyCost(spec), 9);
            // The column is more than energy at maximum power for every device, so the third reading is the dearest of the three.
            Assert.True(a.HourlyCost(spec) > (a with { Reading = PriceReading.FirstPrinciples }).HourlyCost(spec), name);
            Assert.True(a.HourlyCost(spec) > (a with { Reading = PriceReading.PaperOperatingCost }).HourlyCost(spec), name);
        }

        var error = Assert.Throws<InvalidOperationException>(() => a.HourlyCost(HardwareCatalog.Default["H200-SXM"]));
        Assert.Contains("operatingUsdPerHour", error.Message, StringComparison.Ordinal);
        Assert.Contains(PriceReading.FinancedPlusOperatingCost, TcoStudy.PriceReadings);
    }

    [Fact]
    public void FinancedPlusOperatingCost_ScalesEveryStageByItsDevicesHourlyCost()
    {
        // A stage's cost is its device's hourly cost over its throughput, and the best configuration does not depend
        // on the hourly cost; so each stage under the third reading costs its first-principles cost times the ratio of
        // the two hourly costs, computed here from the study's inputs, not from the code under test.
        var first = Study.Run(HardwareCatalog.Default, DeviceReading.Datasheet, PriceReading.FirstPrinciples);
        var third = Study.Run(HardwareCatalog.Default, DeviceReading.Datasheet, PriceReading.FinancedPlusOperatingCost);
        var t = Study.Assumptions;
        double Capital(string d) => Study.PaperTable[d].Price * t.InterestRate / (1 - Math.Pow(1 + t.InterestRate, -t.LifetimeYears)) / 8760;
        var spec = Study.DeviceSpecs(HardwareCatalog.Default, DeviceReading.Datasheet).ToDictionary(s => s.Name);
        double Ratio(string d) => (Capital(d) + Study.PaperTable[d].Operating) / (Capital(d) + (spec[d].PowerW.GetValueOrDefault() / 1000 * t.EnergyUsdPerKwh));
        Assert.Equal(first.Count, third.Count);
        for (int r = 0; r < first.Count; r++)
        {
            Assert.Equal(PriceReading.FinancedPlusOperatingCost, third[r].Prices);
            for (int i = 0; i < first[r].Pairs.Count; i++)
            {
                var (a, b) = (first[r].Pairs[i], third[r].Pairs[i]);
                Assert.Equal(a.Feasible, b.Feasible);
                if (a.Feasible)
                {
                    Assert.Equal(a.PrefillStage!.CostPerUnit * Ratio(a.Prefill), b.PrefillStage!.CostPerUnit, a.PrefillStage.CostPerUnit * 1e-9);
                    Assert.Equal(a.DecodeStage!.CostPerUnit * Ratio(a.Decode), b.DecodeStage!.CostPerUnit, a.DecodeStage.CostPerUnit * 1e-9);
                    Assert.Equal(b.PrefillStage.CostPerUnit + (b.DecodeStage.CostPerUnit * third[r].Configuration.Shape.Output), b.CostPerRequest, b.CostPerRequest * 1e-12);
                }
            }
        }
    }

    [Theory]
    [InlineData(DeviceReading.Datasheet)]
    [InlineData(DeviceReading.PaperTable)]
    public void FinancedPlusOperatingCost_KeepsThePapersHeadline_HeterogeneousPairsBeatH100Everywhere(DeviceReading devices)
    {
        foreach (var row in Study.Run(HardwareCatalog.Default, devices, PriceReading.FinancedPlusOperatingCost))
        {
            var winner = row.Winner!;
            Assert.NotEqual("H100-SXM::H100-SXM", winner.Name);
            Assert.True(winner.Relative < 0.8, $"{row.Configuration.Label}: {winner.Name} {winner.Relative:0.000}");
            // Decode, bought by bandwidth and capacity per dollar, goes to MI300X or B200, never to H100.
            Assert.Contains(winner.Decode, new[] { "MI300X", "B200" });
            output.WriteLine($"{devices} {row.Configuration.Label,-40} {winner.Name,-22} {winner.Relative:0.000}");
        }
    }

    [Fact]
    public void PowerSensitivity_HasARowForEachDeviceWhosePowerFiguresDiffer_AndNoOther()
    {
        Assert.Equal(["Gaudi3", "B200"], Study.DevicesWithDifferingPower);
        Assert.Equal([900.0, 1200.0], Study.PowerFigures["Gaudi3"].Select(f => f.Watts));
        var rows = Study.PowerSensitivity(HardwareCatalog.Default, DeviceReading.Datasheet, PriceReading.FirstPrinciples);
        Assert.Equal(["Gaudi3", "B200"], rows.Select(r => r.Device));
        var gaudi = rows[0];
        Assert.Equal(900, gaudi.BaseWatts);
        Assert.Equal([900.0, 1200.0], gaudi.Cases.Select(c => c.Figure.Watts));
        // 300 W more at $0.40/kWh is $0.12/h more.
        Assert.Equal(0.12, gaudi.Cases[1].HourlyCost - gaudi.Cases[0].HourlyCost, 9);

        // The rule follows the data: give A40 two figures and Gaudi 3 one, and the rows follow.
        string json;
        using (var reader = new StreamReader(typeof(TcoStudy).Assembly.GetManifestResourceStream("AgentDsl.Planning.tco-study.json")!))
        {
            json = reader.ReadToEnd();
        }

        var other = TcoStudy.Parse(json
            .Replace("\"A40\":       [ { \"watts\": 300,  \"source\": \"S7, S8\" } ]", "\"A40\": [ { \"watts\": 300, \"source\": \"x\" }, { \"watts\": 250, \"source\": \"y\" } ]", StringComparison.Ordinal)
            .Replace("{ \"watts\": 1200, \"source\": \"S24 (liquid-cooled)\" }", "{ \"watts\": 900, \"source\": \"z\" }", StringComparison.Ordinal), "edited");
        Assert.Equal(["A40", "B200"], other.DevicesWithDifferingPower);
        Assert.Equal([250.0, 300.0], other.PowerSensitivity(HardwareCatalog.Default, DeviceReading.Datasheet, PriceReading.FirstPrinciples)[0].Cases.Select(c => c.Figure.Watts));
        Assert.Throws<CatalogException>(() => TcoStudy.Parse(json.Replace("\"watts\": 1200,", "\"watts\": -1,", StringComparison.Ordinal), "bad"));
    }

    [Theory]
    [InlineData(DeviceReading.Datasheet)]
    [InlineData(DeviceReading.PaperTable)]
    public void PowerSensitivity_BracketsTheReadingsOwnResult(DeviceReading devices)
    {
        var baseline = Study.Run(HardwareCatalog.Default, devices, PriceReading.FirstPrinciples);
        foreach (var row in Study.PowerSensitivity(HardwareCatalog.Default, devices, PriceReading.FirstPrinciples))
        {
            var (low, high) = (row.Cases[0], row.Cases[^1]);
            Assert.True(low.Figure.Watts <= row.BaseWatts && row.BaseWatts <= high.Figure.Watts, row.Device);
            bool anyRise = false;
            for (int c = 0; c < baseline.Count; c++)
            {
                double l = low.Rows[c].Winner!.CostPerRequest, b = baseline[c].Winner!.CostPerRequest, h = high.Rows[c].Winner!.CostPerRequest;
                Assert.True(l <= b * (1 + 1e-12) && b <= h * (1 + 1e-12), $"{row.Device} {baseline[c].Configuration.Label}: {l} {b} {h}");
                // Only pairs using the device change: the baseline pair (H100::H100) costs the same in every case.
                Assert.Equal(baseline[c].Baseline("H100-SXM", "H100-SXM").CostPerRequest, high.Rows[c].Baseline("H100-SXM", "H100-SXM").CostPerRequest, 15);
                anyRise |= h > b * (1 + 1e-9);
            }

            // Gaudi 3 wins prefill at FP16, so its higher power figure must show.
            if (row.Device == "Gaudi3")
            {
                Assert.True(anyRise, "Gaudi 3 at 1,200 W changes no winner's cost");
            }
        }

        // Power enters only the first-principles price: under the third reading every case is the reading itself.
        var third = Study.Run(HardwareCatalog.Default, devices, PriceReading.FinancedPlusOperatingCost);
        foreach (var row in Study.PowerSensitivity(HardwareCatalog.Default, devices, PriceReading.FinancedPlusOperatingCost))
        {
            Assert.All(row.Cases, k => Assert.Equal(third.Select(r => r.Winner!.CostPerRequest), k.Rows.Select(r => r.Winner!.CostPerRequest)));
        }
    }
}
