using AgentDsl.Generated;
using AgentDsl.Batching;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Orchestration;

namespace AgentDsl.Execution;

/// <summary>
/// Micro-batching of one graph: which nodes are batched (a batch form registered with <c>AddBatch</c>, or one the
/// generator found and the options leave on), one <see cref="NodeBatcher"/> each, and per batched node how many
/// requests in flight may still reach it (a batch waits for company only while some may come).
/// </summary>
internal sealed class BatchCoordinator
{
    private readonly NodeBatcher?[] _batchers;

    /// <summary>Per batched node: requests in flight that have not reached it yet (who could still join its batch).</summary>
    private readonly int[] _upcoming;

    /// <summary>Finds the graph's batched nodes and makes their batchers.</summary>
    /// <param name="definition">The graph.</param>
    /// <param name="graphType">The graph class (registered batches of other graphs are ignored).</param>
    /// <param name="graph">The graph instance the batch forms are called on.</param>
    /// <param name="registered">The batches registered with <c>AddBatch</c>, for any graph.</param>
    /// <param name="forms">The batch forms the generator found for the graph.</param>
    /// <param name="batchOf">Makes the batch of a form the generator found, with its options.</param>
    /// <param name="options">The runtime's options (<see cref="AgentDslOptions.Batching"/>, the slow-down factor).</param>
    /// <param name="replanner">The graph's plan (the device a batch runs on).</param>
    /// <param name="admission">The graph's plan snapshot (how long a request can wait).</param>
    /// <param name="estimates">Where a batch's time is recorded.</param>
    /// <param name="graphTag">The metric tag of the graph.</param>
    /// <exception cref="InvalidOperationException">A registered batch names an operator no node calls, or a node that cannot be batched.</exception>
    public BatchCoordinator(
        GraphDefinition definition,
        Type graphType,
        object graph,
        IEnumerable<OperatorBatch> registered,
        IReadOnlyList<OperatorBatchForm> forms,
        Func<OperatorBatchForm, BatchOptions, OperatorBatch> batchOf,
        AgentDslOptions options,
        Replanner replanner,
        AdmissionController admission,
        NodeEstimates estimates,
        KeyValuePair<string, object?> graphTag)
    {
        Definition = definition;
        Graph = graph;
        Replanner = replanner;
        Admission = admission;
        Estimates = estimates;
        SlowdownFactor = options.Replanning.SlowdownFactor;
        GraphTag = graphTag;
        _batchers = new NodeBatcher?[definition.Nodes.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var batch in registered.Where(b => b.Graph == graphType))
        {
            names.Add(batch.Operator);
            var nodes = definition.Nodes.Where(n => n.Operator == batch.Operator && !n.Merge).ToList();
            if (nodes.Count == 0)
            {
                throw new InvalidOperationException($"Graph '{definition.Name}': a batch form is registered for operator '{batch.Operator}', which no node of the graph calls.");
            }

            foreach (var node in nodes)
            {
                if (OperatorBatch.Check(node) is { } problem)
                {
                    throw new InvalidOperationException($"Graph '{definition.Name}': {problem}");
                }

                _batchers[node.Id] = new NodeBatcher(this, node, batch);
            }
        }

        // Batch forms the generator found (an overload of the operator taking a list); one registered with AddBatch wins.
        foreach (var form in forms)
        {
            var batchOptions = options.Batching.GetValueOrDefault($"{definition.Name}.{form.Operator}")
                ?? options.Batching.GetValueOrDefault(form.Operator)
                ?? new BatchOptions();
            if (names.Contains(form.Operator) || batchOptions.MaxBatchSize <= 1)
            {
                continue; // replaced, or batching turned off (MaxBatchSize 1)
            }

            var batch = batchOf(form, batchOptions);
            foreach (var node in definition.Nodes.Where(n => n.Operator == form.Operator && !n.Merge && OperatorBatch.Check(n) is null))
            {
                _batchers[node.Id] = new NodeBatcher(this, node, batch);
            }
        }

        BatchedNodes = [.. Enumerable.Range(0, _batchers.Length).Where(i => _batchers[i] is not null)];
        _upcoming = new int[_batchers.Length];
    }

    /// <summary>Ids of the nodes that are batched (empty for most graphs).</summary>
    public int[] BatchedNodes { get; }

    internal GraphDefinition Definition { get; }

    internal object Graph { get; }

    internal Replanner Replanner { get; }

    internal AdmissionController Admission { get; }

    internal NodeEstimates Estimates { get; }

    internal double SlowdownFactor { get; }

    internal KeyValuePair<string, object?> GraphTag { get; }

    /// <summary>Whether node <paramref name="nodeId"/> is batched.</summary>
    public bool IsBatched(int nodeId) => _batchers[nodeId] is not null;

    /// <summary>The batcher of node <paramref name="nodeId"/>, or null when it is not batched.</summary>
    public NodeBatcher? BatcherOf(int nodeId) => _batchers[nodeId];

    /// <summary>A request was admitted: it may reach each batched node.</summary>
    public void Expect()
    {
        foreach (int id in BatchedNodes)
        {
            Interlocked.Increment(ref _upcoming[id]);
        }
    }

    /// <summary>A request reached (or will never reach) batched node <paramref name="nodeId"/>: one fewer its batch could wait for. Call once per request and node.</summary>
    public void Arrived(int nodeId) => Interlocked.Decrement(ref _upcoming[nodeId]);

    /// <summary>Requests in flight that may still reach node <paramref name="nodeId"/>.</summary>
    public int Upcoming(int nodeId) => Volatile.Read(ref _upcoming[nodeId]);
}

/// <summary>What a batched invocation reports back to its request.</summary>
internal readonly record struct BatchOutcome(int Device, long Started, long Ended, int Size);
