using System.Security.Cryptography;
using System.Text;

namespace AgentDsl.Kernels;

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
