using System.Security.Cryptography;
using System.Text;

namespace AgentDsl.Kernels;

/// <summary>Element or scalar types kernels accept.</summary>
public enum KernelScalarType
{
    /// <summary><c>int</c>.</summary>
    Int32,

    /// <summary><c>uint</c>.</summary>
    UInt32,

    /// <summary><c>long</c>.</summary>
    Int64,

    /// <summary><c>ulong</c>.</summary>
    UInt64,

    /// <summary><c>float</c>.</summary>
    Single,

    /// <summary><c>double</c> (needs fp64).</summary>
    Double,

    /// <summary><c>Half</c> (needs fp16).</summary>
    Half,
}

/// <summary>How a kernel parameter is passed.</summary>
public enum KernelParameterKind
{
    /// <summary>A buffer (<c>Span&lt;T&gt;</c> or <c>ReadOnlySpan&lt;T&gt;</c>); its length is passed alongside.</summary>
    Buffer,

    /// <summary>A scalar by value.</summary>
    Scalar,
}

/// <summary>Features a device must offer to run a kernel.</summary>
[Flags]
public enum KernelRequirements
{
    /// <summary>Nothing beyond OpenCL C 1.2.</summary>
    None = 0,

    /// <summary>Double precision (<c>cl_khr_fp64</c>).</summary>
    Fp64 = 1,

    /// <summary>Half precision arithmetic (<c>cl_khr_fp16</c>).</summary>
    Fp16 = 2,

    /// <summary>Work-group features: local memory or barriers (the launch needs a local size).</summary>
    WorkGroups = 4,
}

/// <summary>A kernel parameter after the work-item indices.</summary>
/// <param name="Name">The C# parameter name.</param>
/// <param name="Kind">Buffer or scalar.</param>
/// <param name="Type">Element type (buffers) or type (scalars).</param>
/// <param name="IsReadOnly">For buffers: declared <c>ReadOnlySpan&lt;T&gt;</c>, so the kernel never writes it.</param>
public sealed record KernelParameter(string Name, KernelParameterKind Kind, KernelScalarType Type, bool IsReadOnly);

/// <summary>Runs work-items <paramref name="begin"/> to <paramref name="end"/> (flattened, x fastest) of a launch in managed code.</summary>
public delegate void ManagedKernelRange(KernelLaunch launch, long begin, long end);

/// <summary>
/// A kernel as the generator emits it: the OpenCL C program, its entry point, the parameters, what the
/// device must support, and the managed reference implementation.
/// </summary>
public sealed class KernelDefinition
{
    private string? _hash;

    /// <summary>Creates a kernel definition.</summary>
    public KernelDefinition(
        string name,
        string entryPoint,
        string source,
        int dimensions,
        IReadOnlyList<KernelParameter> parameters,
        KernelRequirements requirements,
        ManagedKernelRange managed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(entryPoint);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, 3);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(managed);
        Name = name;
        EntryPoint = entryPoint;
        Source = source;
        Dimensions = dimensions;
        Parameters = parameters;
        Requirements = requirements;
        Managed = managed;
    }

    /// <summary>The C# name: <c>Type.Method</c>.</summary>
    public string Name { get; }

    /// <summary>The OpenCL C kernel function name.</summary>
    public string EntryPoint { get; }

    /// <summary>The complete OpenCL C 1.2 program (pragmas, helpers, the kernel).</summary>
    public string Source { get; }

    /// <summary>Number of work-item index dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>The parameters after the work-item indices, in order.</summary>
    public IReadOnlyList<KernelParameter> Parameters { get; }

    /// <summary>What the device must support.</summary>
    public KernelRequirements Requirements { get; }

    /// <summary>The managed reference implementation.</summary>
    public ManagedKernelRange Managed { get; }

    /// <summary>SHA-256 of <see cref="Source"/>, hex: the cache key of compiled programs.</summary>
    public string SourceHash => _hash ??= Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Source)));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
