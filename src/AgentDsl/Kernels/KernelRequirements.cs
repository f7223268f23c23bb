// Linked into the Roslyn projects (netstandard2.0, no implicit usings): keep it free of dependencies.
namespace AgentDsl.Kernels;

/// <summary>Features a device must offer to run a kernel.</summary>
[System.Flags]
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
