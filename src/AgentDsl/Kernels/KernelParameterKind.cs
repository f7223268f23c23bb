namespace AgentDsl.Kernels;

/// <summary>How a kernel parameter is passed.</summary>
public enum KernelParameterKind
{
    /// <summary>A buffer (<c>Span&lt;T&gt;</c> or <c>ReadOnlySpan&lt;T&gt;</c>); its length is passed alongside.</summary>
    Buffer,

    /// <summary>A scalar by value.</summary>
    Scalar,
}
