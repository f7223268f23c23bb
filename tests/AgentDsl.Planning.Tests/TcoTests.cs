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
}
