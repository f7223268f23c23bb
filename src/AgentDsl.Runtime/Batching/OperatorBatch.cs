using System.Diagnostics;
using AgentDsl.Ir;

namespace AgentDsl.Batching;

/// <summary>How a batchable operator's invocations are grouped.</summary>
public sealed class BatchOptions
{
    /// <summary>The most invocations in one batch; a full batch runs at once.</summary>
    public int MaxBatchSize { get; set; } = 16;

    /// <summary>
    /// The longest the first invocation of a batch waits for others. Unset: a tenth of the graph's SLA, at most 20 ms
    /// (2 ms without an SLA). Each request also bounds it by its own slack — its deadline, less the node's expected
    /// time and the expected time of the nodes after it — so batching never spends time a request does not have.
    /// </summary>
    public TimeSpan? MaxWait { get; set; }
}

/// <summary>
/// The batch form of a <c>[Operator(Batchable = true)]</c> operator, registered with
/// <c>AddBatch&lt;TGraph, TInput, TResult&gt;</c>: the runtime calls it with the inputs of concurrent requests.
/// </summary>
public abstract class OperatorBatch
{
    private protected OperatorBatch(Type graph, string @operator, BatchOptions options)
    {
        Graph = graph;
        Operator = @operator;
        Options = options;
    }

    /// <summary>The graph class.</summary>
    public Type Graph { get; }

    /// <summary>The operator's name (its method name).</summary>
    public string Operator { get; }

    /// <summary>Batch size and wait.</summary>
    public BatchOptions Options { get; }

    /// <summary>Runs one batch: reads the node's input from each request's values, calls the batch form, stores each result.</summary>
    public abstract ValueTask InvokeAsync(object graph, NodeDefinition node, IReadOnlyList<NodeValues> values, CancellationToken cancellationToken);

    /// <summary>Checks that the node can be batched with this form; the message names the node when it cannot.</summary>
    internal static string? Check(NodeDefinition node)
    {
        if (!node.Cost.Batchable)
        {
            return $"{node.Describe()} is not declared [Operator(Batchable = true)], but a batch form is registered for it.";
        }

        int data = node.Inputs.Count(i => i.Value.Source != ValueSource.CancellationToken);
        if (data != 1 || node.Inputs.Any(i => i.Value.Source is ValueSource.Constant or ValueSource.Element) || node.FanOut is not null || !node.HasResult)
        {
            return $"{node.Describe()} cannot be batched: a batch form takes one list of the operator's single input and returns one result per input.";
        }

        return null;
    }
}

/// <summary>A typed batch form.</summary>
internal sealed class OperatorBatch<TGraph, TInput, TResult>(
    string @operator,
    Func<TGraph, IReadOnlyList<TInput>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> batch,
    BatchOptions options)
    : OperatorBatch(typeof(TGraph), @operator, options)
    where TGraph : class
{
    public override async ValueTask InvokeAsync(object graph, NodeDefinition node, IReadOnlyList<NodeValues> values, CancellationToken cancellationToken)
    {
        var input = node.Inputs.First(i => i.Value.Source != ValueSource.CancellationToken).Value;
        var items = new TInput[values.Count];
        for (int i = 0; i < items.Length; i++)
        {
            object? value = input.Source == ValueSource.Input ? values[i].Input(input.Index) : values[i].Result(input.Index);
            items[i] = value is TInput typed || value is null && default(TInput) is null
                ? (TInput)value!
                : throw new InvalidCastException($"The batch form of {node.Describe()} takes {typeof(TInput).Name}, but the node's input is {value?.GetType().Name}.");
        }

        var results = await batch((TGraph)graph, items, cancellationToken).ConfigureAwait(false);
        if (results.Count != items.Length)
        {
            throw new InvalidOperationException($"The batch form of {node.Describe()} returned {results.Count} results for {items.Length} inputs.");
        }

        for (int i = 0; i < items.Length; i++)
        {
            values[i].SetResult(node.Id, results[i]);
        }
    }
}
