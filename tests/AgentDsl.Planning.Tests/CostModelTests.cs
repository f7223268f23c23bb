using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using Xunit;

namespace AgentDsl.Planning.Tests;

public class CostModelTests
{
    private static readonly DeviceSpec H100 = HardwareCatalog.Default["H100-SXM"];
    private static readonly DeviceSpec Cpu = HardwareCatalog.Default["EPYC-9654"];

    internal static NodeDefinition Node(string name, double flops, double bytes, Precision precision = Precision.Unspecified, OperatorKind kind = OperatorKind.Compute, double memory = 0, double output = 0, params ValueRef[] inputs) =>
        new(0, name, name, kind, "float[]", false, [.. inputs.Select((v, i) => new NodeInput("p" + i, "float[]", v))])
        {
            Cost = new CostHints { Flops = flops, BytesMoved = bytes, MemoryFootprintBytes = memory, Model = precision == Precision.Unspecified ? null : new ModelDescription { Precision = precision } },
            OutputBytes = output,
        };

    [Fact]
    public void KvBytes_MatchTheHandComputedLlama3Values()
    {
        // 8B: 2 · 32 layers · 4096 · (8/32) · 2 bytes = 131,072 bytes per token; 70B: 2 · 80 · 8192 · (8/64) · 2 = 327,680.
        Assert.Equal(131_072, LlmMath.KvBytes(32, 4096, 32, 8, tokens: 1, batch: 1, bytesPerElement: 2));
        Assert.Equal(327_680, LlmMath.KvBytes(80, 8192, 64, 8, 1, 1, 2));
        Assert.Equal(131_072.0 * 32_768 * 4, LlmMath.KvBytes(32, 4096, 32, 8, 32_768, 4, 2));
        Assert.Equal(65_536, LlmMath.KvBytes(32, 4096, 32, 8, 1, 1, LlmMath.BytesPerElement(Precision.Fp8)));
    }

    [Fact]
    public void DisaggregationBandwidth_MatchesThePapersClaimAt32KTokens()
    {
        // paper.md: at 32K tokens, FP16, batch 1, TTFT 250 ms: egress ≈ 137 Gb/s (8B) and ≈ 344 Gb/s (70B).
        double kv8 = LlmMath.KvBytes(32, 4096, 32, 8, 32_768, 1, 2);
        double kv70 = LlmMath.KvBytes(80, 8192, 64, 8, 32_768, 1, 2);
        Assert.Equal(137.4, LlmMath.EgressBytesPerSecond(kv8, 0.25, 1) * 8 / 1e9, 1);
        Assert.Equal(343.6, LlmMath.EgressBytesPerSecond(kv70, 0.25, 1) * 8 / 1e9, 1);
        // The literal ingress reading asks for the whole cache within one 20 ms token: 12.5× the egress rate.
        Assert.Equal(12.5, LlmMath.IngressBytesPerSecondLiteral(kv8, 0.020, 1) / LlmMath.EgressBytesPerSecond(kv8, 0.25, 1), 6);
    }

    [Fact]
    public void Roofline_TakesTheBottleneckPlusLaunchOverhead()
    {
        var model = new CostModel();
        // Compute-bound: 989.4e12 FLOP at FP16 = 1 s on an H100.
        Assert.Equal(1 + 10e-6, model.RooflineSeconds(Node("gemm", 989.4e12, 1e9, Precision.Fp16), H100), 9);
        // Memory-bound: 3.35e12 bytes at 3.35 TB/s = 1 s.
        Assert.Equal(1 + 10e-6, model.RooflineSeconds(Node("scan", 1e9, 3.35e12, Precision.Fp16), H100), 9);
        // FP32 compute runs at the FP32 rate.
        Assert.Equal(1 + 10e-6, model.RooflineSeconds(Node("fp32", 66.9e12, 0), H100), 9);
    }

    [Fact]
    public void Transfers_UseTheLinkBetweenTheDevices()
    {
        var a100 = HardwareCatalog.Default["A100-80GB"];
        Assert.Equal(0, CostModel.TransferSeconds(1e9, H100, H100, sameInstance: true));
        Assert.Equal((1e9 / 450e9) + 1e-6, CostModel.TransferSeconds(1e9, H100, H100, sameInstance: false), 12);       // NVLink
        Assert.Equal((1e9 / 64e9) + 2e-6, CostModel.TransferSeconds(1e9, Cpu, H100, sameInstance: false), 12);         // host link
        Assert.Equal((1e9 / 32e9) + 4e-6, CostModel.TransferSeconds(1e9, H100, a100, sameInstance: false), 12);        // through the host, slower link
    }

    [Fact]
    public void Calibration_ConvergesOnMeasuredTimes_AndSurvivesOutliers()
    {
        var model = new CostModel();
        var node = Node("embed", 2e9, 4e6, Precision.Fp16);
        double roofline = model.RooflineSeconds(node, H100);
        double truth = roofline * 7.3; // the device is much slower than its datasheet for this operator
        var rng = new Random(7);
        var errors = new List<double>();
        for (int i = 0; i < 40; i++)
        {
            double predicted = model.Seconds(node, H100);
            errors.Add(Math.Abs(predicted - truth) / truth);
            double measured = truth * (1 + ((rng.NextDouble() - 0.5) * 0.1)); // ±5% noise
            if (i % 7 == 3)
            {
                measured = truth * 50; // a stall: one outlier every seven
            }

            model.Calibration.Record(node.Operator, H100.Name, CostModel.InputSize(node), measured, predicted);
        }

        Assert.True(errors[0] > 0.8, "before any measurement the roofline is far off");
        Assert.All(errors.Skip(3), e => Assert.True(e < 0.06, $"prediction error {e:P1} after calibration"));

        // A burst of outliers smaller than half the window does not move the estimate.
        double before = model.Seconds(node, H100);
        for (int i = 0; i < 5; i++)
        {
            model.Calibration.Record(node.Operator, H100.Name, CostModel.InputSize(node), truth * 1000);
        }

        Assert.True(Math.Abs(model.Seconds(node, H100) - before) / before < 0.06);
    }

    [Fact]
    public void BreakEven_IsFiniteForParallelWork_AndInfiniteWhenTheLinkDominates()
    {
        var model = new CostModel();
        var dense = Node("matmul", flops: 2e9, bytes: 4e6, Precision.Fp16);            // 500 FLOP/byte: the GPU pays off past some size
        var streaming = Node("copy", flops: 0, bytes: 4e6, Precision.Fp32);             // moving bytes over PCIe is slower than reading them on the CPU
        double breakEven = model.BreakEvenBytes(dense, Cpu, H100);
        Assert.True(breakEven > 0 && double.IsFinite(breakEven), $"break-even {breakEven}");
        Assert.True(double.IsPositiveInfinity(model.BreakEvenBytes(streaming, Cpu, H100)));
    }
}
