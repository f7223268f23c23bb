namespace AgentDsl;

/// <summary>
/// Marks a static method that kernels may call: it is compiled to an OpenCL C function next to the
/// kernels that use it, under the same language rules.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class KernelHelperAttribute : Attribute
{
}
