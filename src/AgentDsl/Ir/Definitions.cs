namespace AgentDsl.Ir;

/// <summary>The latency objective of a graph.</summary>
/// <param name="LatencyMs">End-to-end latency bound in milliseconds; 0 means no SLA.</param>
/// <param name="Percentile">The fraction of requests that must meet it, in (0, 1].</param>
public readonly record struct SlaSpec(double LatencyMs, double Percentile)
{
    /// <summary>Whether a latency bound is set.</summary>
    public bool HasLatencyBound => LatencyMs > 0;

    /// <summary>The latency bound as a <see cref="TimeSpan"/>, or <see cref="TimeSpan.MaxValue"/> when unset.</summary>
    public TimeSpan Latency => HasLatencyBound ? TimeSpan.FromMilliseconds(LatencyMs) : TimeSpan.MaxValue;
}

/// <summary>A flow parameter that the caller supplies with each request.</summary>
/// <param name="Index">Position among the graph's inputs (cancellation tokens excluded).</param>
/// <param name="Name">The parameter name.</param>
/// <param name="Type">The C# type, as written in diagnostics (for example <c>float[]</c>).</param>
public sealed record GraphInput(int Index, string Name, string Type);

/// <summary>A place in the user's source.</summary>
/// <param name="File">The source file path.</param>
/// <param name="Line">One-based line.</param>
/// <param name="Column">One-based column.</param>
public sealed record SourceSpan(string File, int Line, int Column)
{
    /// <inheritdoc/>
    public override string ToString() => $"{File}({Line},{Column})";
}

/// <summary>An argument of a node: which operator parameter it fills and where its value comes from.</summary>
/// <param name="Parameter">The operator's parameter name.</param>
/// <param name="Type">The parameter's C# type.</param>
/// <param name="Value">Where the value comes from.</param>
/// <param name="ConstantText">For <see cref="ValueSource.Constant"/>, the constant as C# source text.</param>
public sealed record NodeInput(string Parameter, string Type, ValueRef Value, string? ConstantText = null);

/// <summary>A typed edge: the value <see cref="From"/> feeds parameter <see cref="Parameter"/> of node <see cref="To"/>.</summary>
/// <param name="From">A graph input or a node result.</param>
/// <param name="To">The consuming node id.</param>
/// <param name="Parameter">The consuming operator's parameter.</param>
/// <param name="Type">The value's C# type.</param>
public sealed record EdgeDefinition(ValueRef From, int To, string Parameter, string Type);

/// <summary>Description of a model that an operator executes; LLM operators use it to derive FLOPs, bytes and KV-cache size.</summary>
public sealed record ModelDescription
{
    /// <summary>Model name (for example <c>llama-3-8b</c>).</summary>
    public string? Name { get; init; }

    /// <summary>Parameter count.</summary>
    public double Parameters { get; init; }

    /// <summary>Transformer layers.</summary>
    public int Layers { get; init; }

    /// <summary>Hidden size.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; }

    /// <summary>Key/value heads; equals <see cref="Heads"/> without grouped-query attention.</summary>
    public int KvHeads { get; init; }

    /// <summary>Precision of weights and KV cache.</summary>
    public Precision Precision { get; init; }

    /// <summary>Expected prompt tokens.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Expected generated tokens.</summary>
    public int OutputTokens { get; init; }
}

/// <summary>Cost hints of an operator, read by the planner and cost model. Zero means unknown.</summary>
public sealed record CostHints
{
    /// <summary>No hints: every device allowed, nothing known.</summary>
    public static CostHints None { get; } = new();

    /// <summary>Floating-point operations per invocation.</summary>
    public double Flops { get; init; }

    /// <summary>Bytes moved through memory per invocation.</summary>
    public double BytesMoved { get; init; }

    /// <summary>Bytes resident on the device while it runs.</summary>
    public double MemoryFootprintBytes { get; init; }

    /// <summary>Device classes it may run on.</summary>
    public DeviceKinds AllowedDevices { get; init; } = DeviceKinds.Any;

    /// <summary>Device classes it prefers; <see cref="DeviceKinds.None"/> for no preference.</summary>
    public DeviceKinds PreferredDevices { get; init; }

    /// <summary>Whether concurrent invocations may be batched.</summary>
    public bool Batchable { get; init; }

    /// <summary>Whether a failed invocation may be retried.</summary>
    public bool SafeToRetry { get; init; }

    /// <summary>The model it runs, for <see cref="OperatorKind.Model"/> and <see cref="OperatorKind.Llm"/> operators.</summary>
    public ModelDescription? Model { get; init; }
}

/// <summary>The phase of an LLM inference a node stands for, after decomposition.</summary>
public enum NodePhase
{
    /// <summary>Not decomposed.</summary>
    None = 0,

    /// <summary>Prompt processing (compute-bound): writes the KV cache.</summary>
    Prefill = 1,

    /// <summary>Moving the KV cache from the prefill device to the decode device.</summary>
    KvTransfer = 2,

    /// <summary>Token generation (memory-bandwidth-bound): reads weights and KV cache per token.</summary>
    Decode = 3,
}

/// <summary>
/// A condition a node runs under: node <see cref="Node"/> (which returns <c>bool</c>) ran and returned <see cref="When"/>.
/// The nodes of an <c>if</c> arm carry one guard per enclosing <c>if</c>; a node runs only when all its guards hold,
/// and is skipped otherwise.
/// </summary>
/// <param name="Node">The id of the node whose <c>bool</c> result decides.</param>
/// <param name="When">The result the guarded node needs.</param>
/// <param name="Probability">Optional hint: how often the guard holds, in [0, 1], for expected-cost planning; <see langword="null"/> when unknown.</param>
public sealed record NodeGuard(int Node, bool When, double? Probability = null)
{
    /// <inheritdoc/>
    public override string ToString() => (When ? "node" : "!node") + Node.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Where a node sits in an unrolled loop of the flow (the innermost one).</summary>
/// <param name="Loop">The loop's number in the flow, 0-based in source order.</param>
/// <param name="Iteration">The iteration this copy of the body is, 0-based.</param>
/// <param name="Bound">The loop's bound: its constant iteration count (<c>for</c>) or declared maximum (<c>while</c>).</param>
public sealed record LoopIteration(int Loop, int Iteration, int Bound);

/// <summary>One of the flow's <c>return</c> statements: the value it returns and the guards under which it is reached.</summary>
/// <param name="Value">The returned value (a graph input or a node result).</param>
/// <param name="Guards">The conditions under which this return is the one taken; empty for the unconditional one.</param>
public sealed record GraphReturn(ValueRef Value, IReadOnlyList<NodeGuard> Guards);

/// <summary>A node of a graph: one call of an operator.</summary>
/// <param name="Id">Dense id, 0-based, in flow order.</param>
/// <param name="Name">Unique name in the graph (the operator name, suffixed <c>#2</c>, <c>#3</c>… on repeated calls).</param>
/// <param name="Operator">The operator method's name.</param>
/// <param name="Kind">The operator's task type.</param>
/// <param name="ResultType">The C# type of the result, or <c>void</c>.</param>
/// <param name="IsAsync">Whether the operator returns a task.</param>
/// <param name="Inputs">The operator's arguments in parameter order.</param>
public sealed record NodeDefinition(
    int Id,
    string Name,
    string Operator,
    OperatorKind Kind,
    string ResultType,
    bool IsAsync,
    IReadOnlyList<NodeInput> Inputs)
{
    /// <summary>Cost hints from the operator's attribute.</summary>
    public CostHints Cost { get; init; } = CostHints.None;

    /// <summary>Where the call sits in the flow, when known.</summary>
    public SourceSpan? Source { get; init; }

    /// <summary>The LLM phase this node stands for after decomposition; <see cref="NodePhase.None"/> otherwise.</summary>
    public NodePhase Phase { get; init; }

    /// <summary>Bytes of the node's result (what a consumer on another device must receive); 0 when unknown.</summary>
    public double OutputBytes { get; init; }

    /// <summary>The conditions the node runs under (one per enclosing <c>if</c> of the flow); empty when it always runs.</summary>
    public IReadOnlyList<NodeGuard> Guards { get; init; } = [];

    /// <summary>
    /// For a fan-out node (<c>await Task.WhenAll(items.Select(x =&gt; Op(x)))</c> or <c>items.Select(x =&gt; Op(x)).ToArray()</c>
    /// in a flow): the collection whose elements the operator is called on, concurrently; the input bound to
    /// <see cref="ValueRef.Element"/> receives each element, and the node's result is the array of the calls' results,
    /// in the collection's order (the fan-in). <see langword="null"/> for a node that calls its operator once.
    /// </summary>
    public ValueRef? FanOut { get; init; }

    /// <summary>
    /// For a node that calls another graph's flow (a nested agent, <see cref="OperatorKind.Agent"/>): that graph's definition;
    /// the node's inputs are its inputs, in order, and its result is the nested flow's result. <see langword="null"/> otherwise.
    /// </summary>
    public GraphDefinition? Subgraph { get; init; }

    /// <summary>
    /// Whether this is a merge node (MLIR <c>agent.merge</c>): the value of a flow local reassigned in an <c>if</c> arm or a
    /// loop. Its inputs are the local's versions, latest first; the runtime takes the first whose node ran (was not
    /// skipped), without running an operator. Merge nodes have no cost.
    /// </summary>
    public bool Merge { get; init; }

    /// <summary>For a node in a copy of an unrolled loop's body: which loop, which iteration, and the loop's bound.</summary>
    public LoopIteration? Loop { get; init; }

    /// <summary>Whether the node runs under a condition.</summary>
    public bool IsConditional => Guards.Count > 0;

    /// <summary>Whether the node produces a value.</summary>
    public bool HasResult => ResultType != "void";

    /// <summary>A short description naming the node, its operator and its place in source, for errors and logs.</summary>
    public string Describe() => Source is null
        ? $"node '{Name}' (operator {Operator})"
        : $"node '{Name}' (operator {Operator}) at {Source}";
}
