using AgentDsl.Generators.Helpers;

namespace AgentDsl.Generators.Models
{
    /// <summary>How an operator returns its result.</summary>
    internal enum ReturnShape
    {
        Void,
        Value,
        Task,
        TaskOfT,
        ValueTask,
        ValueTaskOfT,
    }

    /// <summary>Where an argument's value comes from (mirrors AgentDsl.Ir.ValueSource).</summary>
    internal enum ArgSource
    {
        Input = 0,
        Node = 1,
        Constant = 2,
        CancellationToken = 3,
        Element = 4,
    }

    /// <summary>A flow parameter that becomes a graph input.</summary>
    internal sealed record InputSpec(int Index, string Name, string TypeDisplay, string TypeFq);

    /// <summary>
    /// An argument of a node, or the graph output. <see cref="TypeDisplay"/> is the parameter's type (for the IR);
    /// <see cref="TypeFq"/> is the type of the value as stored (what the invoker reads before C#'s own conversion to the parameter).
    /// </summary>
    internal sealed record ArgSpec(string Parameter, string TypeDisplay, string TypeFq, ArgSource Source, int Index, string? ConstantCode, string? ConstantText);

    /// <summary>Model description of a Model/LLM operator.</summary>
    internal sealed record ModelSpec(
        string? Name,
        double Parameters,
        int Layers,
        int HiddenSize,
        int Heads,
        int KvHeads,
        Precision Precision,
        int PromptTokens,
        int OutputTokens);

    /// <summary>Cost hints from an [Operator] attribute.</summary>
    internal sealed record CostSpec(
        double Flops,
        double BytesMoved,
        double MemoryFootprintBytes,
        DeviceKinds AllowedDevices,
        DeviceKinds PreferredDevices,
        bool Batchable,
        bool SafeToRetry,
        ModelSpec? Model);

    /// <summary>A condition of an <c>if</c> arm: node <see cref="Node"/> (a bool result) returned <see cref="When"/>.</summary>
    internal sealed record GuardSpec(int Node, bool When, double? Probability = null);

    /// <summary>One of several conditional returns of a flow.</summary>
    internal sealed record ReturnSpec(ArgSource Source, int Index, EquatableArray<GuardSpec> Guards);

    /// <summary>One operator call in the flow: a node.</summary>
    internal sealed record NodeSpec(
        int Id,
        string Name,
        string MethodName,
        bool IsStatic,
        OperatorKind Kind,
        ReturnShape Shape,
        string ResultTypeDisplay,
        string? ResultTypeFq,
        EquatableArray<ArgSpec> Args,
        CostSpec Cost,
        string FilePath,
        int Line,
        int Column)
    {
        /// <summary>The guards of the enclosing <c>if</c> arms, outermost first; empty when the node always runs.</summary>
        public EquatableArray<GuardSpec> Guards { get; init; } = EquatableArray<GuardSpec>.Empty;

        /// <summary>For a fan-out node: the collection it maps over (source, index, stored type); null otherwise.</summary>
        public ArgSpec? FanOut { get; init; }

        /// <summary>For a fan-out node: the element type (fully qualified) and the operator's own result type.</summary>
        public string? ElementTypeFq { get; init; }

        /// <summary>Unrolled-loop position: loop number, iteration, bound; -1 loop when not in a loop.</summary>
        public int LoopId { get; init; } = -1;

        public int LoopIteration { get; init; }

        public int LoopBound { get; init; }

        /// <summary>For a fan-out from a foreach that adds to a list: the result is a List&lt;T&gt;, not an array.</summary>
        public bool CollectsList { get; init; }

        /// <summary>A switch's case test: Args[0] == Args[1] (a constant), with EqualityComparer&lt;T&gt;.Default; result bool.</summary>
        public bool IsCaseTest { get; init; }

        /// <summary>For a tuple element read by a deconstruction (<c>var (a, b) = Op(x);</c>): its position, 1-based (Args[0] is the tuple); 0 otherwise.</summary>
        public int TupleItem { get; init; }

        /// <summary>Whether this node produces a constant a flow returns (<c>return "text";</c>): the invoker stores it, no operator runs.</summary>
        public bool IsConstant { get; init; }

        /// <summary>A merge node: the value of a reassigned local, from its versions (Args, latest first).</summary>
        public bool IsMerge { get; init; }

        /// <summary>For a nested-graph node: the called graph class (fully qualified); null otherwise.</summary>
        public string? SubgraphTypeFq { get; init; }

        /// <summary>For a fan-out node: the operator's per-call result type (fully qualified); the node's result is its array.</summary>
        public string? ItemResultTypeFq { get; init; }
    }
}
