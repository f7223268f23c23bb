using System.Security.Cryptography;
using System.Text;

namespace AgentDsl.Kernels;

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
