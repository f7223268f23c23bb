using System.Security.Cryptography;
using System.Text;

namespace AgentDsl.Kernels;

/// <summary>A kernel parameter after the work-item indices.</summary>
/// <param name="Name">The C# parameter name.</param>
/// <param name="Kind">Buffer or scalar.</param>
/// <param name="Type">Element type (buffers) or type (scalars).</param>
/// <param name="IsReadOnly">For buffers: declared <c>ReadOnlySpan&lt;T&gt;</c>, so the kernel never writes it.</param>
public sealed record KernelParameter(string Name, KernelParameterKind Kind, KernelScalarType Type, bool IsReadOnly);
