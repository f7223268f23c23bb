namespace AgentDsl;

/// <summary>
/// Marks a <see langword="partial"/> class as an agent graph. The source generator reads its one
/// <see cref="FlowAttribute"/> method and makes the class implement <see cref="IAgentGraph{TSelf}"/>.
/// </summary>
/// <example>
/// <code>
/// [AgentGraph(LatencySlaMs = 800, Percentile = 0.99)]
/// public partial class SupportAgent { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AgentGraphAttribute : Attribute
{
    /// <summary>Default <see cref="Percentile"/>: 0.99.</summary>
    public const double DefaultPercentile = 0.99;

    /// <summary>End-to-end latency objective in milliseconds at <see cref="Percentile"/>; 0 means none.</summary>
    public double LatencySlaMs { get; set; }

    /// <summary>The percentile the SLA applies to, in (0, 1]. Defaults to <see cref="DefaultPercentile"/>.</summary>
    public double Percentile { get; set; } = DefaultPercentile;

    /// <summary>The graph's name in the IR and in telemetry; defaults to the class name.</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Marks the one method of an <see cref="AgentGraphAttribute"/> class whose body composes operators.
/// The body is analysed at compile time, not executed by the runtime: each operator call becomes
/// a node and each local passed from one call to another an edge. Calls that do not depend on
/// each other run concurrently.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FlowAttribute : Attribute
{
    /// <summary>
    /// The most iterations any <c>while</c> loop of the flow runs (an agent ⇄ tool loop needs a bound). The loop is
    /// unrolled to this many guarded iterations at compile time; after the last one the flow continues, as if the
    /// condition had turned false. 0 (the default) makes a <c>while</c> loop an error. <c>for</c> loops with constant
    /// bounds need no declaration.
    /// </summary>
    public int MaxIterations { get; set; }
}

/// <summary>
/// Marks a method of an <see cref="AgentGraphAttribute"/> class as an operator: a node of the graph.
/// Properties are cost hints for the planner; all are optional.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OperatorAttribute : Attribute
{
    /// <summary>Creates an operator of kind <see cref="OperatorKind.Compute"/>.</summary>
    public OperatorAttribute()
        : this(OperatorKind.Compute)
    {
    }

    /// <summary>Creates an operator of the given kind.</summary>
    /// <param name="kind">The task type of the operator.</param>
    public OperatorAttribute(OperatorKind kind) => Kind = kind;

    /// <summary>The task type of the operator.</summary>
    public OperatorKind Kind { get; }

    /// <summary>The node name in the IR; defaults to the method name.</summary>
    public string? Name { get; set; }

    /// <summary>Floating-point operations per invocation (cost hint); 0 means unknown.</summary>
    public double Flops { get; set; }

    /// <summary>Bytes read and written in memory per invocation (cost hint); 0 means unknown.</summary>
    public double BytesMoved { get; set; }

    /// <summary>Bytes the operator needs resident on its device (weights, index, buffers); 0 means unknown.</summary>
    public double MemoryFootprintBytes { get; set; }

    /// <summary>Device classes the operator may run on. Defaults to <see cref="DeviceKinds.Any"/>.</summary>
    public DeviceKinds AllowedDevices { get; set; } = DeviceKinds.Any;

    /// <summary>Device classes the planner should favour; <see cref="DeviceKinds.None"/> means no preference.</summary>
    public DeviceKinds PreferredDevices { get; set; }

    /// <summary>Whether invocations from concurrent requests may be batched together.</summary>
    public bool Batchable { get; set; }

    /// <summary>Whether the operator may be retried (on the same or another device) after a failure.</summary>
    public bool SafeToRetry { get; set; }

    /// <summary>
    /// For an operator returning <c>bool</c> that a flow branches on: how often it returns <see langword="true"/>, in [0, 1].
    /// The guards of the <c>if</c> arms record it (and 1 − it for the <c>else</c> side) as a branch-probability hint for
    /// planning. Unset (NaN) means unknown; a value outside [0, 1] is error ADSL0304.
    /// </summary>
    public double TrueProbability { get; set; } = double.NaN;

    /// <summary>Model name for <see cref="OperatorKind.Model"/> and <see cref="OperatorKind.Llm"/> operators (for example <c>llama-3-8b</c>).</summary>
    public string? Model { get; set; }

    /// <summary>Model parameter count.</summary>
    public double ModelParameters { get; set; }

    /// <summary>Number of transformer layers.</summary>
    public int Layers { get; set; }

    /// <summary>Hidden size (model dimension).</summary>
    public int HiddenSize { get; set; }

    /// <summary>Number of attention heads.</summary>
    public int Heads { get; set; }

    /// <summary>Number of key/value heads (grouped-query attention); defaults to <see cref="Heads"/> when 0.</summary>
    public int KvHeads { get; set; }

    /// <summary>Precision of weights and KV cache.</summary>
    public Precision Precision { get; set; }

    /// <summary>Expected prompt length in tokens, for LLM cost estimates.</summary>
    public int PromptTokens { get; set; }

    /// <summary>Expected generated length in tokens, for LLM cost estimates.</summary>
    public int OutputTokens { get; set; }
}

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

/// <summary>
/// Marks a static method that kernels may call: it is compiled to an OpenCL C function next to the
/// kernels that use it, under the same language rules.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class KernelHelperAttribute : Attribute
{
}
