using AgentDsl;
using AgentDsl.Kernels;

namespace AgentDsl.OpenCL.Tests;

/// <summary>One kernel per construct of the kernel language; each runs on OpenCL and managed and the results are compared.</summary>
public static partial class TestKernels
{
    public const int Scale = 3;

    [Kernel]
    public static void Saxpy(int i, float a, ReadOnlySpan<float> x, Span<float> y)
    {
        if (i < y.Length)
        {
            y[i] = a * x[i] + y[i];
        }
    }

    [Kernel]
    public static void IntArithmetic(int i, ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> r)
    {
        int x = a[i], y = b[i];
        int d = y == 0 || y == -1 ? 7 : y;
        int o = 0;
        r[o + (i * 12)] = x + y;
        r[1 + (i * 12)] = x - y;
        r[2 + (i * 12)] = x * y;
        r[3 + (i * 12)] = x / d;
        r[4 + (i * 12)] = x % d;
        r[5 + (i * 12)] = x << y;
        r[6 + (i * 12)] = x >> y;
        r[7 + (i * 12)] = x >>> y;
        r[8 + (i * 12)] = (x & y) | (x ^ ~y);
        r[9 + (i * 12)] = -x;
        r[10 + (i * 12)] = +x * Scale;
        r[11 + (i * 12)] = int.MinValue + int.MaxValue + x;
    }

    [Kernel]
    public static void MixedIntegers(int i, ReadOnlySpan<uint> u, ReadOnlySpan<int> s, ReadOnlySpan<long> l, ReadOnlySpan<ulong> ul, Span<long> r, Span<ulong> ru)
    {
        long promoted = u[i] + s[i];           // C#: uint + int is long
        r[i * 4] = promoted;
        r[(i * 4) + 1] = l[i] * 3 - s[i];
        r[(i * 4) + 2] = (long)u[i] << 33;
        r[(i * 4) + 3] = l[i] / (s[i] == 0 || s[i] == -1 ? 5 : s[i]);
        ru[i * 3] = ul[i] + u[i];
        ru[(i * 3) + 1] = ul[i] >> 7 ^ 0xFFFF_0000_0000UL;
        ru[(i * 3) + 2] = (ulong)(uint)s[i] * 2UL;
    }

    [Kernel]
    public static void FloatArithmetic(int i, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> r)
    {
        float x = a[i], y = b[i];
        r[i * 8] = x + y;
        r[(i * 8) + 1] = x - y;
        r[(i * 8) + 2] = x * y;
        r[(i * 8) + 3] = x / y;
        r[(i * 8) + 4] = x % y;
        r[(i * 8) + 5] = -x;
        r[(i * 8) + 6] = MathF.Sqrt(MathF.Abs(x));
        r[(i * 8) + 7] = Math.Max(x, y) - Math.Min(x, y) + Math.Clamp(x, -1f, 1f);
    }

    [Kernel]
    public static void FloatFunctions(int i, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> r)
    {
        float x = a[i], y = b[i];
        r[i * 12] = MathF.Exp(x * 0.1f);
        r[(i * 12) + 1] = MathF.Log(MathF.Abs(x) + 1f);
        r[(i * 12) + 2] = MathF.Pow(MathF.Abs(x) + 0.5f, 1.5f);
        r[(i * 12) + 3] = MathF.Sin(x);
        r[(i * 12) + 4] = MathF.Cos(y);
        r[(i * 12) + 5] = MathF.Tanh(x * 0.5f);
        r[(i * 12) + 6] = MathF.Floor(x) + MathF.Ceiling(y);
        r[(i * 12) + 7] = MathF.Round(x);
        r[(i * 12) + 8] = MathF.Atan2(y, x);
        r[(i * 12) + 9] = MathF.FusedMultiplyAdd(x, y, 1f);
        r[(i * 12) + 10] = MathF.Truncate(y) + MathF.CopySign(1f, x);
        r[(i * 12) + 11] = Math.Sign(x) + (float.IsNaN(x / y) ? 100f : 0f);
    }

    [Kernel]
    public static void DoubleMath(int i, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> r)
    {
        double x = a[i], y = b[i];
        r[i * 6] = x * y + x / y;
        r[(i * 6) + 1] = Math.Sqrt(Math.Abs(x));
        r[(i * 6) + 2] = Math.Exp(x * 0.01) - Math.Log(Math.Abs(y) + 1);
        r[(i * 6) + 3] = Math.Sin(x) * Math.Cos(y);
        r[(i * 6) + 4] = Math.PI * x;
        r[(i * 6) + 5] = Math.Max(x, y);
    }

    [Kernel]
    public static void ComparisonsAndLogic(int i, ReadOnlySpan<int> a, ReadOnlySpan<float> f, Span<int> r)
    {
        int x = a[i];
        float y = f[i];
        bool positive = x > 0;
        bool small = x >= -10 && x <= 10;
        bool odd = (x & 1) == 1 || x % 2 != 0;
        r[i * 5] = positive ? 1 : 0;
        r[(i * 5) + 1] = !small ? 2 : (odd ? 3 : 4);
        r[(i * 5) + 2] = x < 0 == y < 0f ? 5 : 6;
        r[(i * 5) + 3] = float.IsNaN(y) ? 7 : (y == 0f ? 8 : 9);
        r[(i * 5) + 4] = positive && !odd || small ? 10 : 11;
    }

    [Kernel]
    public static void ControlFlow(int i, ReadOnlySpan<int> a, Span<int> r)
    {
        int n = a[i] & 63;
        int sum = 0;
        for (int k = 0; k < n; k++)
        {
            if (k % 3 == 0)
            {
                continue;
            }

            if (k > 40)
            {
                break;
            }

            sum += k;
        }

        int w = n;
        while (w > 1)
        {
            w = (w & 1) == 0 ? w / 2 : w - 1;
            sum++;
        }

        do
        {
            sum -= 2;
            w--;
        }
        while (w > -3);

        int m = sum;
        m *= 3;
        m -= 1;
        m <<= 2;
        m >>= 1;
        m ^= 0x55;
        m |= 0x100;
        m &= 0x7FFF_FFFF;
        m %= 1000;
        m /= 2;
        ++m;
        m--;
        if (m < 0)
        {
            r[i] = -1;
            return;
        }
        else if (m == 0)
        {
            r[i] = 0;
            return;
        }

        r[i] = m;
    }

    [Kernel]
    public static void Casts(int i, ReadOnlySpan<float> f, ReadOnlySpan<long> l, ReadOnlySpan<double> d, Span<int> ri, Span<float> rf, Span<long> rl)
    {
        ri[i * 3] = (int)f[i];                  // saturating, NaN → 0
        ri[(i * 3) + 1] = (int)l[i];            // wraps
        ri[(i * 3) + 2] = (int)(uint)f[i];
        rf[i * 3] = (float)d[i];
        rf[(i * 3) + 1] = (float)l[i];
        rf[(i * 3) + 2] = (float)(double)(float)i / 3f;
        rl[i * 2] = (long)d[i];
        rl[(i * 2) + 1] = (long)(ulong)(uint)(int)l[i];
    }

    [KernelHelper]
    public static float Smoothstep(float edge0, float edge1, float x)
    {
        float t = Clamp01((x - edge0) / (edge1 - edge0));
        return t * t * (3f - (2f * t));
    }

    [KernelHelper]
    public static float Clamp01(float t) => t < 0f ? 0f : (t > 1f ? 1f : t);

    [KernelHelper]
    public static int Collatz(int n)
    {
        int steps = 0;
        while (n > 1 && steps < 500)
        {
            n = (n & 1) == 0 ? n / 2 : (3 * n) + 1;
            steps++;
        }

        return steps;
    }

    [Kernel]
    public static void Helpers(int i, ReadOnlySpan<float> x, Span<float> r, Span<int> steps)
    {
        r[i] = Smoothstep(-1f, 1f, x[i]);
        steps[i] = Collatz(i + 1);
    }

    [Kernel(Dimensions = 2)]
    public static void MatrixAdd(int row, int col, int cols, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        int k = (row * cols) + col;
        c[k] = a[k] + b[k] * (row + 1);
    }

    [Kernel(Dimensions = 3)]
    public static void Volume(int x, int y, int z, int nx, int ny, Span<int> r)
    {
        r[x + (nx * (y + (ny * z)))] = (x * 100) + (y * 10) + z + Group.GlobalSize(2);
    }

    [Kernel]
    public static void Constants(int i, Span<float> r, Span<long> l)
    {
        const float Half = 0.5f;
        r[i * 4] = float.MaxValue * Half;
        r[(i * 4) + 1] = float.Epsilon;
        r[(i * 4) + 2] = (float)Math.E;
        r[(i * 4) + 3] = -0f;
        l[i * 2] = long.MinValue + i;
        l[(i * 2) + 1] = int.MinValue;
    }

    /// <summary>A tree reduction in local memory: each work-group writes the sum of its slice.</summary>
    [Kernel]
    public static void SumReduce(int i, ReadOnlySpan<int> input, Span<int> partials)
    {
        Span<int> scratch = Group.Local<int>(64);
        int lid = Group.LocalId(0);
        scratch[lid] = i < input.Length ? input[i] : 0;
        Group.Barrier();
        for (int stride = Group.LocalSize(0) / 2; stride > 0; stride /= 2)
        {
            if (lid < stride)
            {
                scratch[lid] += scratch[lid + stride];
            }

            Group.Barrier();
        }

        if (lid == 0)
        {
            partials[Group.Id(0)] = scratch[0];
        }
    }

    /// <summary>Rounding on every kind of value, and on constants (which PoCL's built-ins miscompile).</summary>
    [Kernel]
    public static void Rounding(int i, ReadOnlySpan<float> x, ReadOnlySpan<double> d, Span<float> r, Span<double> rd)
    {
        r[i * 6] = MathF.Floor(x[i]);
        r[(i * 6) + 1] = MathF.Ceiling(x[i]);
        r[(i * 6) + 2] = MathF.Truncate(x[i]);
        r[(i * 6) + 3] = MathF.Round(x[i]);
        r[(i * 6) + 4] = MathF.Round(float.MaxValue) + MathF.Floor(float.NaN) + x[i];
        r[(i * 6) + 5] = MathF.Round(2.5f) + MathF.Ceiling(-0.5f) + MathF.Truncate(1e10f);
        rd[i * 4] = Math.Floor(d[i]);
        rd[(i * 4) + 1] = Math.Ceiling(d[i]);
        rd[(i * 4) + 2] = Math.Truncate(d[i]);
        rd[(i * 4) + 3] = Math.Round(d[i]);
    }

    [Kernel]
    public static void HalfScale(int i, ReadOnlySpan<Half> x, Span<Half> r)
    {
        r[i] = x[i] * (Half)2;
    }

    [Kernel]
    public static void Dot(int i, ReadOnlySpan<float> corpus, ReadOnlySpan<float> query, Span<float> scores, int dim)
    {
        float sum = 0f;
        for (int d = 0; d < dim; d++)
        {
            sum += corpus[(i * dim) + d] * query[d];
        }

        scores[i] = sum;
    }
}
