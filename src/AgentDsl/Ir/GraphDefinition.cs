using System.Collections.Immutable;
using System.Runtime.InteropServices;
using AgentDsl.Ir.Topology;

namespace AgentDsl.Ir;

/// <summary>
/// The graph IR of an agent: inputs, nodes, typed edges, cost hints and SLA. The source generator
/// builds one per <see cref="AgentGraphAttribute"/> class; the constructor validates it, so a
/// definition that exists is well formed (ids dense, references resolvable, acyclic).
/// </summary>
public sealed class GraphDefinition
{
    private readonly ImmutableArray<ImmutableArray<int>> _dependents;
    private readonly int[][] _predecessors;

    /// <summary>Creates and validates a graph definition.</summary>
    /// <param name="name">The graph name.</param>
    /// <param name="typeName">The graph class's full name.</param>
    /// <param name="flow">The flow method's name.</param>
    /// <param name="sla">The latency objective.</param>
    /// <param name="inputs">Graph inputs, indexed 0..n-1.</param>
    /// <param name="nodes">Nodes, with ids 0..n-1 in order.</param>
    /// <param name="output">The value the flow returns, or <see langword="null"/> when it returns nothing.</param>
    /// <param name="outputType">The C# type of <paramref name="output"/>, or <c>void</c>.</param>
    /// <param name="returns">
    /// For a flow with conditional returns (<c>if (…) return a; return b;</c>): each return with its guards, in source order,
    /// the last one unconditional or all of them guarded so that exactly one is reached. <paramref name="output"/> is then
    /// <see langword="null"/>. Omit for a flow with one return.
    /// </param>
    /// <exception cref="GraphDefinitionException">The definition is malformed; the message names the node.</exception>
    public GraphDefinition(
        string name,
        string typeName,
        string flow,
        SlaSpec sla,
        IReadOnlyList<GraphInput> inputs,
        IReadOnlyList<NodeDefinition> nodes,
        ValueRef? output,
        string outputType,
        IReadOnlyList<GraphReturn>? returns = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(outputType);

        Name = name;
        TypeName = typeName;
        Flow = flow;
        Sla = sla;
        Inputs = [.. inputs];
        Nodes = [.. nodes];
        Output = output;
        OutputType = outputType;
        Returns = returns is { Count: > 0 } ? [.. returns] : output is { } o ? [new GraphReturn(o, [])] : [];

        Validate();
        HasBranches = Nodes.Any(n => n.IsConditional || n.Merge) || Returns.Length > 1;

        var edges = ImmutableArray.CreateBuilder<EdgeDefinition>();
        var dependents = new List<int>[Nodes.Length];
        _predecessors = new int[Nodes.Length][];
        for (int i = 0; i < dependents.Length; i++)
        {
            dependents[i] = [];
        }

        foreach (var node in Nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (input.Value.Source is ValueSource.Input or ValueSource.Node)
                {
                    edges.Add(new EdgeDefinition(input.Value, node.Id, input.Parameter, input.Type));
                }
            }

            if (node.FanOut is { } fanOut)
            {
                var element = node.Inputs.First(i => i.Value.Source == ValueSource.Element);
                edges.Add(new EdgeDefinition(fanOut, node.Id, element.Parameter, element.Type + "[]"));
            }

            _predecessors[node.Id] = GraphTopology.Predecessors(
                node.Inputs.Where(i => i.Value.Source == ValueSource.Node).Select(i => i.Value.Index),
                node.FanOut is { Source: ValueSource.Node } f ? f.Index : -1,
                node.Guards.Select(g => g.Node));
            foreach (int p in _predecessors[node.Id])
            {
                dependents[p].Add(node.Id);
            }
        }

        Edges = edges.ToImmutable();
        _dependents = [.. dependents.Select(d => d.ToImmutableArray())];
        Roots = [.. Nodes.Where(n => _predecessors[n.Id].Length == 0).Select(n => n.Id)];
        TopologicalOrder = [.. Enumerable.Range(0, Nodes.Length)];
    }

    /// <summary>The graph name.</summary>
    public string Name { get; }

    /// <summary>The full name of the graph class.</summary>
    public string TypeName { get; }

    /// <summary>The flow method's name.</summary>
    public string Flow { get; }

    /// <summary>The latency objective.</summary>
    public SlaSpec Sla { get; }

    /// <summary>Graph inputs (the flow's parameters, cancellation token excluded).</summary>
    public ImmutableArray<GraphInput> Inputs { get; }

    /// <summary>Nodes, indexed by id.</summary>
    public ImmutableArray<NodeDefinition> Nodes { get; }

    /// <summary>Typed edges from graph inputs and node results to the nodes that consume them.</summary>
    public ImmutableArray<EdgeDefinition> Edges { get; }

    /// <summary>The value the flow returns; <see langword="null"/> for a flow without a result.</summary>
    public ValueRef? Output { get; }

    /// <summary>
    /// The flow's returns with the guards under which each is taken; one unguarded entry (equal to <see cref="Output"/>)
    /// for a flow with a single return, empty for a flow without a result.
    /// </summary>
    public ImmutableArray<GraphReturn> Returns { get; }

    /// <summary>Whether the flow has conditional nodes or returns (an <c>if</c>).</summary>
    public bool HasBranches { get; }

    /// <summary>The C# type of the flow's result, or <c>void</c>.</summary>
    public string OutputType { get; }

    /// <summary>Nodes that depend on no other node: they start as soon as a request arrives.</summary>
    public ImmutableArray<int> Roots { get; }

    /// <summary>
    /// The nodes that wait for node <paramref name="nodeId"/>: those that take its result as an argument, fan out over it,
    /// or are guarded by it; each listed once, by ascending id. The inverse of <see cref="PredecessorsOf"/>.
    /// </summary>
    public ImmutableArray<int> DependentsOf(int nodeId) => _dependents[nodeId];

    /// <summary>
    /// The nodes node <paramref name="nodeId"/> waits for: those whose results it takes as arguments, the one whose result
    /// it fans out over, and those its guards test (an <c>if</c> arm starts once its condition is decided); each listed
    /// once, in that order. This is the one definition of the graph's dependencies: the planners, the runtime, the CLI and
    /// (through the same shared rule) the placement analyzer use it. Every predecessor has a smaller id than the node.
    /// </summary>
    public ImmutableArray<int> PredecessorsOf(int nodeId) => ImmutableCollectionsMarshal.AsImmutableArray(_predecessors[nodeId]);

    /// <summary>How many distinct nodes node <paramref name="nodeId"/> waits for: the length of <see cref="PredecessorsOf"/>.</summary>
    public int DependencyCountOf(int nodeId) => _predecessors[nodeId].Length;

    /// <summary>
    /// A topological order of the nodes: every node after all of its <see cref="PredecessorsOf">predecessors</see>. It is
    /// id order (0, 1, …, n−1): validation rejects a graph where a node refers to a node with an equal or larger id, so
    /// ascending ids are always topological.
    /// </summary>
    public ImmutableArray<int> TopologicalOrder { get; }

    /// <summary>
    /// The critical path for a time per node: the longest chain of <see cref="PredecessorsOf">dependencies</see>, each
    /// node taking <paramref name="seconds"/>(id) and edges free. With branches it is the slowest arm (the latency of the
    /// worst request, every guarded node counted). Ties go to the lowest id.
    /// </summary>
    /// <param name="seconds">The time of node <c>id</c>; any unit, the path's length is in the same.</param>
    public GraphPath CriticalPath(Func<int, double> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        var (length, path) = GraphTopology.CriticalPath(_predecessors, seconds);
        return new GraphPath(length, ImmutableCollectionsMarshal.AsImmutableArray(path));
    }

    /// <summary>Finds a node by name.</summary>
    /// <exception cref="KeyNotFoundException">No node has that name.</exception>
    public NodeDefinition GetNode(string nodeName) =>
        Nodes.FirstOrDefault(n => n.Name == nodeName)
        ?? throw new KeyNotFoundException($"Graph '{Name}' has no node named '{nodeName}'. Nodes: {string.Join(", ", Nodes.Select(n => n.Name))}.");

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Nodes.Length} nodes, {Edges.Length} edges)";

    /// <summary>
    /// A merge's inputs are in production order, latest first: node results by descending id, then graph inputs. The
    /// runtime takes the first whose node ran; with this order that is the version of the path the request took, because
    /// nodes of exclusive paths never both run and along one path a later node runs only if no earlier exit was taken.
    /// </summary>
    private void CheckMergeOrder(NodeDefinition node)
    {
        static int Rank(ValueRef v) => v.Source == ValueSource.Node ? v.Index : -1 - v.Index;
        for (int k = 1; k < node.Inputs.Count; k++)
        {
            if (Rank(node.Inputs[k].Value) >= Rank(node.Inputs[k - 1].Value))
            {
                throw new GraphDefinitionException(Name,
                    $"{node.Describe()} is a merge whose inputs are not latest first: '{node.Inputs[k].Parameter}' ({node.Inputs[k].Value}) follows '{node.Inputs[k - 1].Parameter}' ({node.Inputs[k - 1].Value}); list node results by descending id, then graph inputs");
            }
        }
    }

    private void Validate()
    {
        for (int i = 0; i < Inputs.Length; i++)
        {
            if (Inputs[i].Index != i)
            {
                throw new GraphDefinitionException(Name, $"input '{Inputs[i].Name}' has index {Inputs[i].Index}, expected {i}");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Nodes.Length; i++)
        {
            var node = Nodes[i];
            if (node.Id != i)
            {
                throw new GraphDefinitionException(Name, $"{node.Describe()} has id {node.Id}, expected {i}");
            }

            if (!names.Add(node.Name))
            {
                throw new GraphDefinitionException(Name, $"{node.Describe()}: the name is used by another node");
            }

            foreach (var input in node.Inputs)
            {
                CheckReference(input.Value, $"{node.Describe()}, parameter '{input.Parameter}'", consumer: node.Id);
                if (input.Value.Source == ValueSource.Constant && input.ConstantText is null)
                {
                    throw new GraphDefinitionException(Name, $"{node.Describe()}, parameter '{input.Parameter}': a constant input needs its text");
                }
            }

            CheckGuards(node.Guards, node.Describe(), consumer: node.Id);
            if (node.Merge && (node.Inputs.Count < 2 || node.Inputs.Any(i => i.Value.Source is not (ValueSource.Node or ValueSource.Input))))
            {
                throw new GraphDefinitionException(Name, $"{node.Describe()} is a merge: it needs two or more inputs, each a node result or a graph input");
            }

            if (node.Merge)
            {
                CheckMergeOrder(node);
            }

            if (node.Loop is { } loop && (loop.Loop < 0 || loop.Bound <= 0 || loop.Iteration < 0 || loop.Iteration >= loop.Bound))
            {
                throw new GraphDefinitionException(Name, $"{node.Describe()} is iteration {loop.Iteration} of loop {loop.Loop} bounded by {loop.Bound}");
            }

            if (node.Subgraph is { } sub)
            {
                int given = node.Inputs.Count(i => i.Value.Source != ValueSource.CancellationToken);
                if (given != sub.Inputs.Length)
                {
                    throw new GraphDefinitionException(Name, $"{node.Describe()} calls graph '{sub.Name}' with {given} inputs; it takes {sub.Inputs.Length}");
                }
            }

            int elements = node.Inputs.Count(i => i.Value.Source == ValueSource.Element);
            if (node.FanOut is { } fanOut)
            {
                if (fanOut.Source is not (ValueSource.Input or ValueSource.Node))
                {
                    throw new GraphDefinitionException(Name, $"{node.Describe()} fans out over a {fanOut.Source}; it fans out over a graph input or a node result");
                }

                CheckReference(fanOut, $"{node.Describe()}, fan-out", consumer: node.Id);
                if (elements != 1)
                {
                    throw new GraphDefinitionException(Name, $"{node.Describe()} fans out but {elements} of its inputs are the element; exactly one must be");
                }
            }
            else if (elements > 0)
            {
                throw new GraphDefinitionException(Name, $"{node.Describe()} reads the fan-out element but has no fan-out collection");
            }
        }

        for (int i = 0; i < Returns.Length; i++)
        {
            var ret = Returns[i];
            if (ret.Value.Source is not (ValueSource.Input or ValueSource.Node))
            {
                throw new GraphDefinitionException(Name, $"return {i + 1} of {Returns.Length} returns a {ret.Value.Source}; a flow returns a graph input or a node result");
            }

            CheckReference(ret.Value, $"return {i + 1} of {Returns.Length}", consumer: null);
            CheckGuards(ret.Guards, $"return {i + 1} of {Returns.Length}", consumer: null);
        }

        if (Returns.Length > 0 && OutputType == "void")
        {
            throw new GraphDefinitionException(Name, "the flow returns a value but its output type is void");
        }

        if (Output is { } output)
        {
            CheckReference(output, "the graph output", consumer: null);
            if (output.Source == ValueSource.Node && !Nodes[output.Index].HasResult)
            {
                throw new GraphDefinitionException(Name, $"the graph output refers to {Nodes[output.Index].Describe()}, which returns nothing");
            }
        }
    }

    private void CheckGuards(IReadOnlyList<NodeGuard> guards, string where, int? consumer)
    {
        foreach (var guard in guards)
        {
            CheckReference(ValueRef.Node(guard.Node), $"{where}, guard {guard}", consumer);
            if (Nodes[guard.Node].ResultType is not ("bool" or "System.Boolean"))
            {
                throw new GraphDefinitionException(Name, $"{where} is guarded by {Nodes[guard.Node].Describe()}, which returns {Nodes[guard.Node].ResultType}, not bool");
            }

            if (guard.Probability is { } p && (double.IsNaN(p) || p < 0 || p > 1))
            {
                throw new GraphDefinitionException(Name, $"{where}, guard {guard}: the probability {p} is outside [0, 1]");
            }
        }
    }

    private void CheckReference(ValueRef value, string where, int? consumer)
    {
        switch (value.Source)
        {
            case ValueSource.Input when value.Index < 0 || value.Index >= Inputs.Length:
                throw new GraphDefinitionException(Name, $"{where} refers to input {value.Index}, but the graph has {Inputs.Length} inputs");
            case ValueSource.Node when value.Index < 0 || value.Index >= Nodes.Length:
                throw new GraphDefinitionException(Name, $"{where} refers to node {value.Index}, but the graph has {Nodes.Length} nodes");
            case ValueSource.Node when consumer is { } c && value.Index >= c:
                // Nodes are numbered in flow order, so an edge to an earlier or equal id would be a cycle.
                throw new GraphDefinitionException(Name, $"{where} refers to {Nodes[value.Index].Describe()}, which does not come before it (a cycle)");
            case ValueSource.Node when !Nodes[value.Index].HasResult:
                throw new GraphDefinitionException(Name, $"{where} uses the result of {Nodes[value.Index].Describe()}, which returns nothing");
        }
    }
}
