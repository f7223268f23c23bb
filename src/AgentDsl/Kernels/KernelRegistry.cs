using System.Runtime.CompilerServices;

namespace AgentDsl.Kernels;

/// <summary>Every kernel of the loaded assemblies: generated code registers each kernel here when its assembly loads.</summary>
public static class KernelRegistry
{
    private static readonly List<KernelDefinition> s_kernels = [];

    /// <summary>The registered kernels, in registration order.</summary>
    public static IReadOnlyList<KernelDefinition> All
    {
        get
        {
            lock (s_kernels)
            {
                return [.. s_kernels];
            }
        }
    }

    /// <summary>Registers a kernel (called by generated module initializers).</summary>
    public static void Register(KernelDefinition kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        lock (s_kernels)
        {
            if (!s_kernels.Contains(kernel))
            {
                s_kernels.Add(kernel);
            }
        }
    }
}
