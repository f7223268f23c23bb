using AgentDsl;

namespace AgentDsl.Benchmarks;

public static partial class BenchKernels
{
    /// <summary>The QuickStart's scoring kernel, at benchmark size.</summary>
    [Kernel]
    public static void Dot(int row, ReadOnlySpan<float> matrix, ReadOnlySpan<float> vector, Span<float> result, int columns)
    {
        float sum = 0f;
        for (int c = 0; c < columns; c++)
        {
            sum += matrix[(row * columns) + c] * vector[c];
        }

        result[row] = sum;
    }

    /// <summary>STREAM triad: a = b + s·c, a pure streaming kernel (12 bytes per element).</summary>
    [Kernel]
    public static void Triad(int i, Span<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, float scalar)
    {
        a[i] = b[i] + (scalar * c[i]);
    }

    /// <summary>STREAM copy written as a kernel: c = a (8 bytes per element).</summary>
    [Kernel]
    public static void Copy(int i, ReadOnlySpan<float> a, Span<float> c)
    {
        c[i] = a[i];
    }
}
