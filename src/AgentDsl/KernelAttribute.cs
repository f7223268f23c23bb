namespace AgentDsl;

/// <summary>
/// Marks a static, data-parallel method that the generator compiles to OpenCL C 1.2. The method is
/// also its own managed reference implementation. Its first <see cref="Dimensions"/> parameters are
/// <see langword="int"/> work-item indices; the others are <c>Span&lt;T&gt;</c>/<c>ReadOnlySpan&lt;T&gt;</c>
/// buffers or scalars of <c>int</c>, <c>uint</c>, <c>long</c>, <c>ulong</c>, <c>float</c>, <c>double</c>
/// or <c>Half</c>. See docs/kernels.md for the language.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class KernelAttribute : Attribute
{
    /// <summary>How many leading <see langword="int"/> parameters are work-item indices (1 to 3). Defaults to 1.</summary>
    public int Dimensions { get; set; } = 1;
}
