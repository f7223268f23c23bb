using AgentDsl.Generators.Helpers;
using AgentDsl.Kernels;

namespace AgentDsl.Generators.Models
{
    /// <summary>A kernel parameter after the indices: buffer or scalar.</summary>
    internal sealed record KernelParamSpec(string Name, bool IsBuffer, KernelScalarType ScalarType, string ElementFq, bool IsReadOnly);

    /// <summary>Everything the emitter needs for one [Kernel] method. Value-equatable.</summary>
    internal sealed record KernelSpec(
        string? Namespace,
        EquatableArray<ContainingTypeSpec> ContainingTypes,
        string TypeFq,
        string TypeName,
        string MethodName,
        string HintName,
        int Dimensions,
        EquatableArray<KernelParamSpec> Parameters,
        string EntryPoint,
        string OpenClSource,
        KernelRequirements Requirements,
        bool CanRegister);

    /// <summary>The kernel transform's result.</summary>
    internal sealed record KernelResult(KernelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
}
