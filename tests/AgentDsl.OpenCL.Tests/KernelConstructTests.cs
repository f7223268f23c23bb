using AgentDsl.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.OpenCL.Tests;

/// <summary>Every construct of the kernel language, run on OpenCL (PoCL in CI) and managed on fresh random inputs.</summary>
[Collection(OpenClCollection.Name)]
public class KernelConstructTests(OpenClFixture cl, ITestOutputHelper output)
{
    private const int N = 257; // not a multiple of anything convenient
    private readonly Random _rng = CreateRandom(output);
    private readonly IKernelDevice _managed = ManagedKernelDevice.Instance;

    private static Random CreateRandom(ITestOutputHelper output)
    {
        int seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        return new Random(seed);
    }

    private int[] Ints(int n, int min = int.MinValue, int max = int.MaxValue) =>
        [.. Enumerable.Range(0, n).Select(_ => (int)_rng.NextInt64(min, (long)max + 1))];

    private float[] Floats(int n, float scale = 100f, bool specials = true) =>
        [.. Enumerable.Range(0, n).Select(k => specials && k % 17 == 5
            ? new[] { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-40f, 3e38f }[_rng.Next(7)]
            : (float)((_rng.NextDouble() * 2) - 1) * scale)];

    private double[] Doubles(int n, double scale = 100) => [.. Enumerable.Range(0, n).Select(_ => ((_rng.NextDouble() * 2) - 1) * scale)];

    [Fact]
    public async Task Saxpy_BufferIndexing_AndLengthGuard()
    {
        var x = Floats(N, specials: false);
        var y = Floats(N, specials: false);
        var y2 = (float[])y.Clone();
        await TestKernels.Kernels.Saxpy.LaunchAsync(cl.Device, N + 63, 2.5f, x, y);        // extra work-items exit by the guard
        await TestKernels.Kernels.Saxpy.LaunchAsync(_managed, N + 63, 2.5f, x, y2);
        Compare.Exact(y2, y, "y");
    }

    [Fact]
    public async Task IntegerArithmetic_WrapsLikeCSharp()
    {
        var a = Ints(N);
        var b = Ints(N);
        for (int k = 0; k < N; k += 9)
        {
            b[k] = _rng.Next(-40, 40); // shift counts beyond the width, small divisors
        }

        var r1 = new int[N * 12];
        var r2 = new int[N * 12];
        await TestKernels.Kernels.IntArithmetic.LaunchAsync(cl.Device, N, a, b, r1);
        await TestKernels.Kernels.IntArithmetic.LaunchAsync(_managed, N, a, b, r2);
        Compare.Exact(r2, r1, "r");
    }

    [Fact]
    public async Task MixedIntegerTypes_PromoteLikeCSharp()
    {
        uint[] u = [.. Ints(N).Select(v => (uint)v)];
        var s = Ints(N);
        long[] l = [.. Enumerable.Range(0, N).Select(_ => _rng.NextInt64(long.MinValue, long.MaxValue))];
        ulong[] ul = [.. l.Select(v => (ulong)v * 7UL)];
        var r1 = new long[N * 4];
        var r2 = new long[N * 4];
        var q1 = new ulong[N * 3];
        var q2 = new ulong[N * 3];
        await TestKernels.Kernels.MixedIntegers.LaunchAsync(cl.Device, N, u, s, l, ul, r1, q1);
        await TestKernels.Kernels.MixedIntegers.LaunchAsync(_managed, N, u, s, l, ul, r2, q2);
        Compare.Exact(r2, r1, "long results");
        Compare.Exact(q2, q1, "ulong results");
    }

    [Fact]
    public async Task FloatArithmetic_IsBitExact()
    {
        // Correctly rounded + - * / and sqrt, no contraction: OpenCL must agree with .NET to the bit.
        var a = Floats(N);
        var b = Floats(N);
        var r1 = new float[N * 8];
        var r2 = new float[N * 8];
        await TestKernels.Kernels.FloatArithmetic.LaunchAsync(cl.Device, N, a, b, r1);
        await TestKernels.Kernels.FloatArithmetic.LaunchAsync(_managed, N, a, b, r2);
        Compare.Exact(r2, r1, "r");
    }

    [Fact]
    public async Task MathFunctions_MatchWithinTolerance()
    {
        var a = Floats(N, 10f, specials: false);
        var b = Floats(N, 10f, specials: false);
        var r1 = new float[N * 12];
        var r2 = new float[N * 12];
        await TestKernels.Kernels.FloatFunctions.LaunchAsync(cl.Device, N, a, b, r1);
        await TestKernels.Kernels.FloatFunctions.LaunchAsync(_managed, N, a, b, r2);
        Compare.Close(r2, r1, "r", relative: 4e-6f, absolute: 1e-6f);
    }

    [Fact]
    public async Task Rounding_IsExactOnEveryKindOfValue()
    {
        float[] special = [0f, -0f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 0.49999997f, 8388607.5f, 8388608f, 16777217f, 1e20f, -1e20f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon];
        float[] x = [.. special, .. Floats(N - special.Length, 1e4f)];
        double[] d = [.. x.Select(v => (double)v * 1.000001), .. Array.Empty<double>()];
        d[3] = 4503599627370495.5;
        d[4] = -4503599627370496.5;
        var r1 = new float[N * 6];
        var r2 = new float[N * 6];
        var q1 = new double[N * 4];
        var q2 = new double[N * 4];
        await TestKernels.Kernels.Rounding.LaunchAsync(cl.Device, N, x, d, r1, q1);
        await TestKernels.Kernels.Rounding.LaunchAsync(_managed, N, x, d, r2, q2);
        for (int k = 0; k < r1.Length; k++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(r1[k]) == BitConverter.SingleToInt32Bits(r2[k]) || (float.IsNaN(r1[k]) && float.IsNaN(r2[k])), $"r[{k}] (input {x[k / 6]:R}): managed {r2[k]:R}, OpenCL {r1[k]:R}");
        }

        for (int k = 0; k < q1.Length; k++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(q1[k]) == BitConverter.DoubleToInt64Bits(q2[k]) || (double.IsNaN(q1[k]) && double.IsNaN(q2[k])), $"rd[{k}] (input {d[k / 4]:R}): managed {q2[k]:R}, OpenCL {q1[k]:R}");
        }
    }

    [Fact]
    public async Task DoublePrecision_OnAnFp64Device()
    {
        Assert.True(cl.Device.Info.SupportsFp64, "PoCL offers fp64; this test needs it.");
        Assert.True(cl.Device.Supports(TestKernels.Kernels.DoubleMath.Definition));
        Assert.Equal(KernelRequirements.Fp64, TestKernels.Kernels.DoubleMath.Definition.Requirements);
        var a = Doubles(N);
        var b = Doubles(N);
        var r1 = new double[N * 6];
        var r2 = new double[N * 6];
        await TestKernels.Kernels.DoubleMath.LaunchAsync(cl.Device, N, a, b, r1);
        await TestKernels.Kernels.DoubleMath.LaunchAsync(_managed, N, a, b, r2);
        Compare.Close(r2, r1, "r");
    }

    [Fact]
    public async Task ComparisonsLogicAndConditional()
    {
        var a = Ints(N, -20, 20);
        var f = Floats(N);
        var r1 = new int[N * 5];
        var r2 = new int[N * 5];
        await TestKernels.Kernels.ComparisonsAndLogic.LaunchAsync(cl.Device, N, a, f, r1);
        await TestKernels.Kernels.ComparisonsAndLogic.LaunchAsync(_managed, N, a, f, r2);
        Compare.Exact(r2, r1, "r");
    }

    [Fact]
    public async Task LoopsBranchesCompoundAssignmentAndReturn()
    {
        var a = Ints(N);
        var r1 = new int[N];
        var r2 = new int[N];
        await TestKernels.Kernels.ControlFlow.LaunchAsync(cl.Device, N, a, r1);
        await TestKernels.Kernels.ControlFlow.LaunchAsync(_managed, N, a, r2);
        Compare.Exact(r2, r1, "r");
    }

    [Fact]
    public async Task Casts_SaturateAndWrapLikeDotNet()
    {
        var f = Floats(N, 5e9f);
        long[] l = [.. Enumerable.Range(0, N).Select(_ => _rng.NextInt64(long.MinValue, long.MaxValue))];
        var d = Doubles(N, 1e12);
        var i1 = new int[N * 3];
        var i2 = new int[N * 3];
        var f1 = new float[N * 3];
        var f2 = new float[N * 3];
        var l1 = new long[N * 2];
        var l2 = new long[N * 2];
        await TestKernels.Kernels.Casts.LaunchAsync(cl.Device, N, f, l, d, i1, f1, l1);
        await TestKernels.Kernels.Casts.LaunchAsync(_managed, N, f, l, d, i2, f2, l2);
        Compare.Exact(i2, i1, "int casts");
        Compare.Exact(f2, f1, "float casts");
        Compare.Exact(l2, l1, "long casts");
    }

    [Fact]
    public async Task KernelHelpers_BecomeOpenClFunctions()
    {
        Assert.Contains("static float adsl_TestKernels_Smoothstep(float edge0, float edge1, float x)", TestKernels.Kernels.Helpers.OpenClSource, StringComparison.Ordinal);
        Assert.Contains("static float adsl_TestKernels_Clamp01(float t)", TestKernels.Kernels.Helpers.OpenClSource, StringComparison.Ordinal);
        var x = Floats(N, 2f, specials: false);
        var r1 = new float[N];
        var r2 = new float[N];
        var s1 = new int[N];
        var s2 = new int[N];
        await TestKernels.Kernels.Helpers.LaunchAsync(cl.Device, N, x, r1, s1);
        await TestKernels.Kernels.Helpers.LaunchAsync(_managed, N, x, r2, s2);
        Compare.Exact(r2, r1, "smoothstep");
        Compare.Exact(s2, s1, "collatz");
    }

    [Fact]
    public async Task TwoDimensions()
    {
        const int Rows = 13, Cols = 29;
        var a = Floats(Rows * Cols, specials: false);
        var b = Floats(Rows * Cols, specials: false);
        var c1 = new float[Rows * Cols];
        var c2 = new float[Rows * Cols];
        await TestKernels.Kernels.MatrixAdd.LaunchAsync(cl.Device, (Rows, Cols), Cols, a, b, c1);
        await TestKernels.Kernels.MatrixAdd.LaunchAsync(_managed, (Rows, Cols), Cols, a, b, c2);
        Compare.Exact(c2, c1, "c");
        Assert.Equal(a[(12 * Cols) + 3] + (b[(12 * Cols) + 3] * 13), c1[(12 * Cols) + 3]);
    }

    [Fact]
    public async Task ThreeDimensions()
    {
        var r1 = new int[4 * 5 * 6];
        var r2 = new int[4 * 5 * 6];
        await TestKernels.Kernels.Volume.LaunchAsync(cl.Device, (4, 5, 6), 4, 5, r1);
        await TestKernels.Kernels.Volume.LaunchAsync(_managed, (4, 5, 6), 4, 5, r2);
        Compare.Exact(r2, r1, "r");
        Assert.Equal((3 * 100) + (4 * 10) + 5 + 6, r1[3 + (4 * (4 + (5 * 5)))]);
    }

    [Fact]
    public async Task Constants_AreExact()
    {
        var r1 = new float[N * 4];
        var r2 = new float[N * 4];
        var l1 = new long[N * 2];
        var l2 = new long[N * 2];
        await TestKernels.Kernels.Constants.LaunchAsync(cl.Device, N, r1, l1);
        await TestKernels.Kernels.Constants.LaunchAsync(_managed, N, r2, l2);
        Compare.Exact(r2, r1, "floats");
        Compare.Exact(l2, l1, "longs");
        Assert.True(float.IsNegative(r1[3]), "-0f lost its sign");
    }

    [Fact]
    public async Task Reduction_WithLocalMemoryAndBarriers()
    {
        const int Groups = 9;
        Assert.Equal(KernelRequirements.WorkGroups, TestKernels.Kernels.SumReduce.Definition.Requirements);
        Assert.Contains("__local int scratch[64];", TestKernels.Kernels.SumReduce.OpenClSource, StringComparison.Ordinal);
        Assert.Contains("barrier(CLK_LOCAL_MEM_FENCE", TestKernels.Kernels.SumReduce.OpenClSource, StringComparison.Ordinal);
        var input = Ints((64 * Groups) - 11, -1000, 1000);
        var p1 = new int[Groups];
        var p2 = new int[Groups];
        await TestKernels.Kernels.SumReduce.LaunchAsync(cl.Device, 64 * Groups, input, p1, localSize: 64);
        await TestKernels.Kernels.SumReduce.LaunchAsync(_managed, 64 * Groups, input, p2, localSize: 64);
        Compare.Exact(p2, p1, "partials");
        Assert.Equal(input.Sum(), p1.Sum());
    }

    [Fact]
    public async Task WorkGroupKernel_WithoutALocalSize_IsRejectedNamingTheKernel()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await TestKernels.Kernels.SumReduce.LaunchAsync(cl.Device, 64, new int[64], new int[1]));
        Assert.Contains("TestKernels.SumReduce", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Half_RunsWhereSupported_AndIsNeverChosenWhereNot()
    {
        var kernel = TestKernels.Kernels.HalfScale.Definition;
        Assert.Equal(KernelRequirements.Fp16, kernel.Requirements);
        Assert.Contains("#pragma OPENCL EXTENSION cl_khr_fp16 : enable", kernel.Source, StringComparison.Ordinal);
        Half[] x = [.. Enumerable.Range(0, N).Select(k => (Half)(k * 0.25f))];
        var expected = new Half[N];
        await TestKernels.Kernels.HalfScale.LaunchAsync(_managed, N, x, expected);
        Assert.Equal((Half)(100 * 0.25f * 2), expected[100]);

        var devices = new KernelDevices(cl.Devices);
        if (cl.Device.Info.SupportsFp16)
        {
            var r = new Half[N];
            await TestKernels.Kernels.HalfScale.LaunchAsync(cl.Device, N, x, r);
            Compare.Exact(expected, r, "half");
        }
        else
        {
            Assert.False(cl.Device.Supports(kernel));
            Assert.Same(ManagedKernelDevice.Instance, devices.For(kernel));
            var error = await Assert.ThrowsAsync<NotSupportedException>(async () => await TestKernels.Kernels.HalfScale.LaunchAsync(cl.Device, N, x, new Half[N]));
            Assert.Contains("cl_khr_fp16", error.Message, StringComparison.Ordinal);
        }
    }
}
