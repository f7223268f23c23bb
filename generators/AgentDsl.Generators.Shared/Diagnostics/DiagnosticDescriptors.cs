#nullable enable
using Microsoft.CodeAnalysis;

namespace AgentDsl.Generators.Diagnostics
{
    /// <summary>
    /// Every AgentDsl diagnostic, in one place; shared by the generator and the analyzers.
    /// Must be kept in sync with docs/diagnostics.md and the AnalyzerReleases files (a test checks it).
    /// ID blocks: 0001–0099 flow and graph extraction, 0100–0199 kernels, 0200–0299 placement and
    /// hardware profile, 0300–0399 attribute usage, 0400+ runtime and configuration.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        public const string FlowCategory = "AgentDsl.Flow";
        public const string UsageCategory = "AgentDsl.Usage";
        public const string KernelCategory = "AgentDsl.Kernel";
        public const string PlacementCategory = "AgentDsl.Placement";
        /// <summary>
        /// The project's documentation online (the same address as <c>RepositoryUrl</c> in Directory.Build.props): help links
        /// must be absolute, an IDE cannot open a path relative to a repository it does not know.
        /// </summary>
        public const string DocsBase = "https://github.com/agentdsl/agentdsl/blob/main/docs/";

        public const string HelpLinkBase = DocsBase + "diagnostics.md#";

        public const string UnsupportedFlowStatementId = "ADSL0001";
        public const string UnsupportedFlowExpressionId = "ADSL0002";
        public const string NotAnOperatorId = "ADSL0003";
        public const string UnsupportedFlowSignatureId = "ADSL0004";
        public const string UnusedResultId = "ADSL0005";
        public const string UnreachableOperatorId = "ADSL0006";
        public const string SharedMutableValueId = "ADSL0007";

        public const string InvalidKernelSignatureId = "ADSL0100";
        public const string UnsupportedKernelConstructId = "ADSL0101";
        public const string KernelCallNotAllowedId = "ADSL0102";
        public const string InvalidLocalMemoryId = "ADSL0103";
        public const string RecursiveKernelHelperId = "ADSL0104";
        public const string KernelTypeNotPartialId = "ADSL0105";
        public const string UnsupportedKernelTypeId = "ADSL0106";

        public const string OperatorFitsNoDeviceId = "ADSL0200";
        public const string SlaBelowCriticalPathId = "ADSL0201";
        public const string BelowBreakEvenId = "ADSL0202";
        public const string DeviceKindMissingId = "ADSL0203";
        public const string KernelFeatureMissingId = "ADSL0204";
        public const string MalformedProfileId = "ADSL0205";

        public const string GraphClassNotPartialId = "ADSL0300";
        public const string FlowMethodCountId = "ADSL0301";
        public const string MemberOutsideGraphId = "ADSL0302";
        public const string GenericGraphClassId = "ADSL0303";
        public const string InvalidProbabilityId = "ADSL0304";
        public const string NotABatchFormId = "ADSL0305";
        public const string NoBatchFormId = "ADSL0306";

        /// <summary>Format: <c>'{0}' is not supported in a [Flow] body: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedFlowStatement = new DiagnosticDescriptor(
            UnsupportedFlowStatementId,
            title: "Unsupported statement in a flow",
            messageFormat: "'{0}' is not supported in a [Flow] body: {1}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Flow] body is turned into a dataflow graph at compile time; it may contain local declarations holding operator results, awaited operator calls, 'await Task.WhenAll(...)' and a return. Other statements would give a wrong graph.",
            helpLinkUri: HelpLinkBase + "adsl0001",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>'{0}' is not supported in a [Flow] body: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedFlowExpression = new DiagnosticDescriptor(
            UnsupportedFlowExpressionId,
            title: "Unsupported expression in a flow",
            messageFormat: "'{0}' is not supported in a [Flow] body: {1}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Operator arguments in a [Flow] body must be flow parameters, locals holding operator results, compile-time constants, the flow's cancellation token or operator calls. Computation belongs in an operator, where the graph can see and place it.",
            helpLinkUri: HelpLinkBase + "adsl0002",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>'{0}' is not an operator of '{1}': {2}</c>.</summary>
        public static readonly DiagnosticDescriptor NotAnOperator = new DiagnosticDescriptor(
            NotAnOperatorId,
            title: "Call to a method that is not an operator",
            messageFormat: "'{0}' is not an operator of '{1}': {2}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Every call in a [Flow] body becomes a node, so it must call an [Operator] method of the same graph class.",
            helpLinkUri: HelpLinkBase + "adsl0003",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>The [Flow] method '{0}' cannot be turned into a graph: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedFlowSignature = new DiagnosticDescriptor(
            UnsupportedFlowSignatureId,
            title: "Unsupported flow signature",
            messageFormat: "The [Flow] method '{0}' cannot be turned into a graph: {1}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Flow] method takes its inputs by value (no ref, out, in or params) and has a body.",
            helpLinkUri: HelpLinkBase + "adsl0004",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>The result of node '{0}' is never used: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnusedResult = new DiagnosticDescriptor(
            UnusedResultId,
            title: "Operator result never used",
            messageFormat: "The result of node '{0}' is never used: {1}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Every node of a graph runs on every request; a node whose result nobody reads costs time and money for nothing, unless it is there for a side effect (then make the operator return void or Task).",
            helpLinkUri: HelpLinkBase + "adsl0005");

        /// <summary>Format: <c>Operator '{0}' is not reachable from the flow of '{1}'</c>.</summary>
        public static readonly DiagnosticDescriptor UnreachableOperator = new DiagnosticDescriptor(
            UnreachableOperatorId,
            title: "Operator not reachable from the flow",
            messageFormat: "Operator '{0}' is not reachable from the flow of '{1}'",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "An [Operator] method that the [Flow] never calls is not a node of the graph; call it from the flow or drop the attribute.",
            helpLinkUri: HelpLinkBase + "adsl0006");

        /// <summary>
        /// Format: <c>'{0}' is shared by {1}, which may run at the same time, and {2} can change it through its parameter '{3}' of type
        /// '{4}'; make {2} take a read-only type (IReadOnlyList&lt;T&gt;, IReadOnlyDictionary&lt;TKey, TValue&gt;, ImmutableArray&lt;T&gt;) or copy
        /// the value inside the operator</c>.
        /// </summary>
        public static readonly DiagnosticDescriptor SharedMutableValue = new DiagnosticDescriptor(
            SharedMutableValueId,
            title: "Mutable value shared by operators that may run concurrently",
            messageFormat: "'{0}' is shared by {1}, which may run at the same time, and {2} can change it through its parameter '{3}' of type '{4}'; make {2} take a read-only type (IReadOnlyList<T>, IReadOnlyDictionary<TKey, TValue>, ImmutableArray<T>) or copy the value inside the operator",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "The graph runs operators that do not depend on each other at the same time, while a direct call of the flow runs them one after the other; when one of them can change a collection the other also receives, the graph's result can differ from the direct call's.",
            helpLinkUri: HelpLinkBase + "adsl0007");

        /// <summary>Format: <c>The kernel '{0}' has an unsupported signature: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor InvalidKernelSignature = new DiagnosticDescriptor(
            InvalidKernelSignatureId,
            title: "Invalid kernel signature",
            messageFormat: "The kernel '{0}' has an unsupported signature: {1}",
            category: KernelCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Kernel] method is static, non-generic and returns void; its first Dimensions parameters are int work-item indices and the rest are Span<T>/ReadOnlySpan<T> or scalars of int, uint, long, ulong, float, double or Half. [KernelHelper] methods are static and take scalars.",
            helpLinkUri: HelpLinkBase + "adsl0100",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>'{0}' is not supported in a kernel: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedKernelConstruct = new DiagnosticDescriptor(
            UnsupportedKernelConstructId,
            title: "Unsupported construct in a kernel",
            messageFormat: "'{0}' is not supported in a kernel: {1}",
            category: KernelCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Kernel bodies are translated to OpenCL C; they may use locals, arithmetic, comparison, logical and bitwise operators, compound assignment, increment, casts, ?:, if/else, for, while, do, break, continue, return, buffer indexing, Math/MathF functions, Group.* and [KernelHelper] calls.",
            helpLinkUri: HelpLinkBase + "adsl0101",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>A kernel cannot call '{0}': {1}</c>.</summary>
        public static readonly DiagnosticDescriptor KernelCallNotAllowed = new DiagnosticDescriptor(
            KernelCallNotAllowedId,
            title: "Call not allowed in a kernel",
            messageFormat: "A kernel cannot call '{0}': {1}",
            category: KernelCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Kernels call the Math/MathF functions that map to OpenCL built-ins, the Group work-group API and static [KernelHelper] methods.",
            helpLinkUri: HelpLinkBase + "adsl0102",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>Local memory '{0}' is not valid: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor InvalidLocalMemory = new DiagnosticDescriptor(
            InvalidLocalMemoryId,
            title: "Invalid local memory",
            messageFormat: "Local memory '{0}' is not valid: {1}",
            category: KernelCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Group.Local<T>(n) becomes a __local array: n must be a positive constant and the Span<T> local that holds it must be declared at the top level of the kernel body.",
            helpLinkUri: HelpLinkBase + "adsl0103",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>The kernel helper '{0}' calls itself (directly or through other helpers); OpenCL C has no recursion</c>.</summary>
        public static readonly DiagnosticDescriptor RecursiveKernelHelper = new DiagnosticDescriptor(
            RecursiveKernelHelperId,
            title: "Recursive kernel helper",
            messageFormat: "The kernel helper '{0}' calls itself (directly or through other helpers); OpenCL C has no recursion",
            category: KernelCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "OpenCL C forbids recursion; rewrite the helper with a loop.",
            helpLinkUri: HelpLinkBase + "adsl0104",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>The type '{0}' that declares the kernel '{1}' must be partial{2}</c>.</summary>
        public static readonly DiagnosticDescriptor KernelTypeNotPartial = new DiagnosticDescriptor(
            KernelTypeNotPartialId,
            title: "Kernel's containing type is not partial",
            messageFormat: "The type '{0}' that declares the kernel '{1}' must be partial{2}",
            category: KernelCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The generator adds a nested Kernels class (OpenCL source, launcher, managed implementation) to the type that declares a kernel, so it and its containing types must be partial.",
            helpLinkUri: HelpLinkBase + "adsl0105");

        /// <summary>Format: <c>The type '{0}' cannot be used in a kernel: kernels use int, uint, long, ulong, float, double, Half and bool</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedKernelType = new DiagnosticDescriptor(
            UnsupportedKernelTypeId,
            title: "Unsupported type in a kernel",
            messageFormat: "The type '{0}' cannot be used in a kernel: kernels use int, uint, long, ulong, float, double, Half and bool (and short, ushort, byte, sbyte inside expressions)",
            category: KernelCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "OpenCL C has no managed types; kernel values are numeric primitives.",
            helpLinkUri: HelpLinkBase + "adsl0106",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>Operator '{0}' needs {1} GB of device memory; the largest device in the hardware profile it may use, {2}, has {3} GB (short by {4} GB)</c>.</summary>
        public static readonly DiagnosticDescriptor OperatorFitsNoDevice = new DiagnosticDescriptor(
            OperatorFitsNoDeviceId,
            title: "Operator fits no device of the hardware profile",
            messageFormat: "Operator '{0}' needs {1} GB of device memory; the largest device in the hardware profile it may use, {2}, has {3} GB (short by {4} GB)",
            category: PlacementCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The operator's memory footprint (its MemoryFootprintBytes, or for a model its weights and KV cache) exceeds every device of the profile it is allowed on; it cannot be placed.",
            helpLinkUri: HelpLinkBase + "adsl0200");

        /// <summary>Format: <c>Graph '{0}' cannot meet its SLA on this hardware profile: the critical path's lower bound is {1} ms, over the SLA of {2} ms, along {3}</c>.</summary>
        public static readonly DiagnosticDescriptor SlaBelowCriticalPath = new DiagnosticDescriptor(
            SlaBelowCriticalPathId,
            title: "SLA below the critical path's lower bound",
            messageFormat: "Graph '{0}' cannot meet its SLA on this hardware profile: the critical path's lower bound is {1} ms, over the SLA of {2} ms, along {3}",
            category: PlacementCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Even with every operator on its fastest device of the profile and free transfers, the longest path of the graph takes longer than the SLA.",
            helpLinkUri: HelpLinkBase + "adsl0201");

        /// <summary>Format: <c>Operator '{0}' is pinned to {1}, but its declared work ({2} bytes) is below the break-even size of every accelerator in the profile (at best {3} bytes on {4}): offloading costs more than it saves</c>.</summary>
        public static readonly DiagnosticDescriptor BelowBreakEven = new DiagnosticDescriptor(
            BelowBreakEvenId,
            title: "Work too small to offload",
            messageFormat: "Operator '{0}' is pinned to {1}, but its declared work ({2} bytes) is below the break-even size of every accelerator in the profile (at best {3} bytes on {4}): offloading costs more than it saves",
            category: PlacementCategory,
            defaultSeverity: DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "Launch overhead and transfers over the host link are not repaid by the accelerator's speed at this size; allow the CPU (AllowedDevices) so the planner can keep it there.",
            helpLinkUri: HelpLinkBase + "adsl0202");

        /// <summary>Format: <c>Operator '{0}' may run only on {1}, and the hardware profile has no such device (it has {2})</c>.</summary>
        public static readonly DiagnosticDescriptor DeviceKindMissing = new DiagnosticDescriptor(
            DeviceKindMissingId,
            title: "Operator pinned to a device kind the profile lacks",
            messageFormat: "Operator '{0}' may run only on {1}, and the hardware profile has no such device (it has {2})",
            category: PlacementCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The operator's AllowedDevices exclude every device of the profile (the host CPU counts as present).",
            helpLinkUri: HelpLinkBase + "adsl0203");

        /// <summary>Format: <c>Kernel '{0}' needs {1}, which no device in the hardware profile offers; it will run only on the managed CPU device</c>.</summary>
        public static readonly DiagnosticDescriptor KernelFeatureMissing = new DiagnosticDescriptor(
            KernelFeatureMissingId,
            title: "Kernel needs a feature the profile lacks",
            messageFormat: "Kernel '{0}' needs {1}, which no device in the hardware profile offers; it will run only on the managed CPU device",
            category: PlacementCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A kernel using double (fp64) or Half (fp16) is never launched on a device without it.",
            helpLinkUri: HelpLinkBase + "adsl0204");

        /// <summary>Format: <c>The hardware profile is malformed: {0}</c>.</summary>
        public static readonly DiagnosticDescriptor MalformedProfile = new DiagnosticDescriptor(
            MalformedProfileId,
            title: "Malformed hardware profile",
            messageFormat: "The hardware profile is malformed: {0}",
            category: PlacementCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "agentdsl.hardware.json lists the deployment's devices by catalog name or full description; placement diagnostics stay silent until it parses.",
            helpLinkUri: HelpLinkBase + "adsl0205");

        /// <summary>Format: <c>The [AgentGraph] class '{0}' must be partial{1}</c>.</summary>
        public static readonly DiagnosticDescriptor GraphClassNotPartial = new DiagnosticDescriptor(
            GraphClassNotPartialId,
            title: "Agent graph class is not partial",
            messageFormat: "The [AgentGraph] class '{0}' must be partial{1}",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The generator adds the graph definition and invoker to the class, so it and every class containing it must be declared partial.",
            helpLinkUri: HelpLinkBase + "adsl0300");

        /// <summary>Format: <c>The [AgentGraph] class '{0}' has {1} [Flow] methods; it needs exactly one</c>.</summary>
        public static readonly DiagnosticDescriptor FlowMethodCount = new DiagnosticDescriptor(
            FlowMethodCountId,
            title: "Agent graph needs exactly one flow",
            messageFormat: "The [AgentGraph] class '{0}' has {1} [Flow] methods; it needs exactly one",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The graph of a class is read from its one [Flow] method.",
            helpLinkUri: HelpLinkBase + "adsl0301");

        /// <summary>Format: <c>[{0}] on '{1}' has no effect: '{2}' is not an [AgentGraph] class</c>.</summary>
        public static readonly DiagnosticDescriptor MemberOutsideGraph = new DiagnosticDescriptor(
            MemberOutsideGraphId,
            title: "Operator or flow outside an agent graph",
            messageFormat: "[{0}] on '{1}' has no effect: '{2}' is not an [AgentGraph] class",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "[Operator] and [Flow] methods are only read inside a class marked [AgentGraph].",
            helpLinkUri: HelpLinkBase + "adsl0302");

        /// <summary>Format: <c>The [AgentGraph] class '{0}' cannot be generic</c>.</summary>
        public static readonly DiagnosticDescriptor GenericGraphClass = new DiagnosticDescriptor(
            GenericGraphClassId,
            title: "Agent graph class is generic",
            messageFormat: "The [AgentGraph] class '{0}' cannot be generic",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A graph's definition is static and fixed at compile time, so the class (and the classes containing it) cannot have type parameters.",
            helpLinkUri: HelpLinkBase + "adsl0303");

        /// <summary>Format: <c>The TrueProbability of operator '{0}' is {1}; a probability is in [0, 1]</c>.</summary>
        public static readonly DiagnosticDescriptor InvalidProbability = new DiagnosticDescriptor(
            InvalidProbabilityId,
            title: "Branch probability outside [0, 1]",
            messageFormat: "The TrueProbability of operator '{0}' is {1}; a probability is in [0, 1]",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[Operator(TrueProbability = p)] says how often a bool operator that a flow branches on returns true; p must be between 0 and 1.",
            helpLinkUri: HelpLinkBase + "adsl0304");

        /// <summary>Format: <c>'{0}' is not a batch form of operator '{1}': {2}; the operator runs once per request</c>.</summary>
        public static readonly DiagnosticDescriptor NotABatchForm = new DiagnosticDescriptor(
            NotABatchFormId,
            title: "Overload of a batchable operator is not a batch form",
            messageFormat: "'{0}' is not a batch form of operator '{1}': {2}; the operator runs once per request",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "An overload of a [Operator(Batchable = true)] operator that takes a list is read as its batch form, which the runtime calls with the inputs of concurrent requests. It must take IReadOnlyList of the operator's single input (and optionally a CancellationToken) and return one result per input (T[] or IReadOnlyList<T>, directly or in a Task or ValueTask).",
            helpLinkUri: HelpLinkBase + "adsl0305");

        /// <summary>Format: <c>Operator '{0}' is batchable but has no batch form (an overload taking IReadOnlyList&lt;{1}&gt;); it runs once per request unless AddBatch registers one</c>.</summary>
        public static readonly DiagnosticDescriptor NoBatchForm = new DiagnosticDescriptor(
            NoBatchFormId,
            title: "Batchable operator without a batch form",
            messageFormat: "Operator '{0}' is batchable but has no batch form (an overload taking IReadOnlyList<{1}>); it runs once per request unless AddBatch registers one",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "Micro-batching needs a batch form: an overload of the operator taking IReadOnlyList of its input, found by the generator, or a delegate registered with AddBatch at start-up.",
            helpLinkUri: HelpLinkBase + "adsl0306");
    }
}
