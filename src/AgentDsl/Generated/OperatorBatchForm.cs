using System.ComponentModel;
using AgentDsl.Ir;

namespace AgentDsl.Generated;

/// <summary>
/// The batch form of a <c>[Operator(Batchable = true)]</c> operator: one call for the inputs of several concurrent
/// requests, one result per input, in order. The source generator finds it as an overload of the operator taking
/// <see cref="IReadOnlyList{T}"/> of its input (see <see cref="IAgentGraph{TSelf}.BatchForms"/>); the runtime's
/// <c>AddBatch</c> registers one written as a delegate.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class OperatorBatchForm
{
    /// <summary>Creates the form of operator <paramref name="operator"/>.</summary>
    protected OperatorBatchForm(string @operator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(@operator);
        Operator = @operator;
    }

    /// <summary>The operator's name (<c>NodeDefinition.Operator</c>).</summary>
    public string Operator { get; }

    /// <summary>Reads the node's input from each request's values, calls the batch form once, and stores each request's result.</summary>
    /// <param name="graph">The graph instance.</param>
    /// <param name="node">The batched node.</param>
    /// <param name="values">One entry per request in the batch.</param>
    /// <param name="cancellationToken">Cancels the batch.</param>
    public abstract ValueTask InvokeAsync(object graph, NodeDefinition node, IReadOnlyList<NodeValues> values, CancellationToken cancellationToken);
}

/// <summary>A typed batch form: <typeparamref name="TInput"/> in, <typeparamref name="TResult"/> out, per request.</summary>
/// <typeparam name="TGraph">The graph class.</typeparam>
/// <typeparam name="TInput">The operator's input type.</typeparam>
/// <typeparam name="TResult">The operator's result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OperatorBatchForm<TGraph, TInput, TResult> : OperatorBatchForm
    where TGraph : class
{
    private readonly Func<TGraph, IReadOnlyList<TInput>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> _batch;

    /// <summary>Creates the form.</summary>
    /// <param name="operator">The operator's name.</param>
    /// <param name="batch">Calls the batch overload: the graph, the inputs, the cancellation token; returns one result per input.</param>
    public OperatorBatchForm(string @operator, Func<TGraph, IReadOnlyList<TInput>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> batch)
        : base(@operator)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _batch = batch;
    }

    /// <inheritdoc/>
    public override async ValueTask InvokeAsync(object graph, NodeDefinition node, IReadOnlyList<NodeValues> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(values);
        var input = node.Inputs.First(i => i.Value.Source != ValueSource.CancellationToken).Value;
        var items = new TInput[values.Count];
        for (int i = 0; i < items.Length; i++)
        {
            object? value = input.Source == ValueSource.Input ? values[i].Input(input.Index) : values[i].Result(input.Index);
            items[i] = value is TInput typed || value is null && default(TInput) is null
                ? (TInput)value!
                : throw new InvalidCastException($"The batch form of {node.Describe()} takes {typeof(TInput).Name}, but the node's input is {value?.GetType().Name}.");
        }

        var results = await _batch((TGraph)graph, items, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The batch form of {node.Describe()} returned null.");
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
