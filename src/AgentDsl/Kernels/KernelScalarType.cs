// Linked into the Roslyn projects (netstandard2.0, no implicit usings): keep it free of dependencies.
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
