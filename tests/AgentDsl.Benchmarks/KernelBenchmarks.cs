using AgentDsl.Kernels;
using AgentDsl.OpenCL;
using BenchmarkDotNet.Attributes;

namespace AgentDsl.Benchmarks;

/// <summary>
/// The generated Dot kernel against the same kernel hand-written in OpenCL C, on the same OpenCL
/// device and launch path, and against the managed implementation. Buffers stay on the device.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[MemoryDiagnoser]
public class DotKernelBenchmarks
{
    /// <summary>The hand-written OpenCL C a programmer would write for Dot.</summary>
    public const string HandWritten = """
        __kernel void dot_by_hand(__global const float* matrix, int matrix_length, __global const float* vector, int vector_length,
                                  __global float* result, int result_length, int columns)
        {
            int row = get_global_id(0);
            float sum = 0.0f;
            for (int c = 0; c < columns; c++)
            {
                sum += matrix[row * columns + c] * vector[c];
            }
            result[row] = sum;
        }
        """;

    private OpenClDevice _device = null!;
    private KernelBuffer<float> _matrix = null!;
    private KernelBuffer<float> _vector = null!;
    private KernelBuffer<float> _result = null!;
    private KernelDefinition _handWritten = null!;

    [Params(256)]
    public int Columns { get; set; }

    [Params(16384)]
    public int Rows { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var (devices, problem) = OpenClDeviceInfo.Discover();
        _device = new OpenClDevice(devices.Count > 0 ? devices[0] : throw new InvalidOperationException(problem));
        var rng = new Random(42);
        _matrix = new KernelBuffer<float>([.. Enumerable.Range(0, Rows * Columns).Select(_ => (float)rng.NextDouble())]);
        _vector = new KernelBuffer<float>([.. Enumerable.Range(0, Columns).Select(_ => (float)rng.NextDouble())]);
        _result = new KernelBuffer<float>(Rows);
        _handWritten = new KernelDefinition("DotByHand", "dot_by_hand", HandWritten, 1, BenchKernels.Kernels.Dot.Definition.Parameters, KernelRequirements.None, BenchKernels.Kernels.Dot.Definition.Managed);
        await Generated();
        await ByHand();
        var generated = _result.ToArray();
        await ByHand();
        if (!generated.AsSpan().SequenceEqual(_result.ToArray()))
        {
            throw new InvalidOperationException("The generated and hand-written kernels disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _matrix.Dispose();
        _vector.Dispose();
        _result.Dispose();
        _device.Dispose();
    }

    [Benchmark(Baseline = true, Description = "hand-written OpenCL C")]
    public ValueTask ByHand() =>
        _device.LaunchAsync(new KernelLaunch(_handWritten, Rows, null,
            [KernelArgument.Of(_matrix), KernelArgument.Of(_vector), KernelArgument.Of(_result), KernelArgument.Scalar(Columns, KernelScalarType.Int32)]));

    [Benchmark(Description = "generated from C#")]
    public ValueTask Generated() => BenchKernels.Kernels.Dot.LaunchAsync(_device, Rows, _matrix, _vector, _result, Columns);

    [Benchmark(Description = "managed (same C#, CPU threads)")]
    public ValueTask Managed() => BenchKernels.Kernels.Dot.LaunchAsync(ManagedKernelDevice.Instance, Rows, _matrix, _vector, _result, Columns);
}

/// <summary>A generated streaming kernel (triad) against a STREAM-style copy on the same device; bandwidth = bytes / time.</summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class StreamBenchmarks
{
    private OpenClDevice _device = null!;
    private KernelBuffer<float> _a = null!;
    private KernelBuffer<float> _b = null!;
    private KernelBuffer<float> _c = null!;
    private KernelDefinition _streamCopy = null!;

    /// <summary>Elements per array: 16 Mi floats, 64 MiB, well past the caches.</summary>
    [Params(16 * 1024 * 1024)]
    public int Length { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var (devices, problem) = OpenClDeviceInfo.Discover();
        _device = new OpenClDevice(devices.Count > 0 ? devices[0] : throw new InvalidOperationException(problem));
        _a = new KernelBuffer<float>(Length);
        _b = new KernelBuffer<float>([.. Enumerable.Range(0, Length).Select(i => (float)i)]);
        _c = new KernelBuffer<float>([.. Enumerable.Range(0, Length).Select(i => (float)(i % 7))]);
        _streamCopy = new KernelDefinition("StreamCopy", "stream_copy",
            "__kernel void stream_copy(__global const float* a, int a_length, __global float* c, int c_length) { size_t j = get_global_id(0); c[j] = a[j]; }",
            1, BenchKernels.Kernels.Copy.Definition.Parameters, KernelRequirements.None, BenchKernels.Kernels.Copy.Definition.Managed);
        await StreamCopy();
        await Triad();
        await Copy();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
        _device.Dispose();
    }

    [Benchmark(Baseline = true, Description = "STREAM copy, hand-written (8 B/elem)")]
    public ValueTask StreamCopy() =>
        _device.LaunchAsync(new KernelLaunch(_streamCopy, Length, null, [KernelArgument.Of(_b), KernelArgument.Of(_a)]));

    [Benchmark(Description = "generated copy (8 B/elem)")]
    public ValueTask Copy() => BenchKernels.Kernels.Copy.LaunchAsync(_device, Length, _b, _a);

    [Benchmark(Description = "generated triad (12 B/elem)")]
    public ValueTask Triad() => BenchKernels.Kernels.Triad.LaunchAsync(_device, Length, _a, _b, _c, 3f);
}
