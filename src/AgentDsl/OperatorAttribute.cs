namespace AgentDsl;

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
