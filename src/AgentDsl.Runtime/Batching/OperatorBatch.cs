using AgentDsl.Generated;
using System.ComponentModel.DataAnnotations;
using AgentDsl.Ir;

namespace AgentDsl.Batching;

/// <summary>
/// The batch form of a <c>[Operator(Batchable = true)]</c> operator with its options: registered with
/// <c>AddBatch&lt;TGraph, TInput, TResult&gt;</c>, or found by the source generator (<see cref="IAgentGraph{TSelf}.BatchForms"/>);
/// the runtime calls it with the inputs of concurrent requests.
/// </summary>
public abstract class OperatorBatch
{
    private protected OperatorBatch(Type graph, OperatorBatchForm form, BatchOptions options)
    {
        Graph = graph;
        Form = form;
        Options = options;
    }

    /// <summary>The graph class.</summary>
    public Type Graph { get; }

    /// <summary>The operator's name (its method name, or the name its attribute gives).</summary>
    public string Operator => Form.Operator;

    /// <summary>Batch size and wait.</summary>
    public BatchOptions Options { get; }

    /// <summary>The form itself.</summary>
    internal OperatorBatchForm Form { get; }

    /// <summary>Runs one batch: reads the node's input from each request's values, calls the batch form, stores each result.</summary>
    public ValueTask InvokeAsync(object graph, NodeDefinition node, IReadOnlyList<NodeValues> values, CancellationToken cancellationToken) =>
        Form.InvokeAsync(graph, node, values, cancellationToken);

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

/// <summary>A batch form with its options, for graph <typeparamref name="TGraph"/>.</summary>
internal sealed class OperatorBatch<TGraph>(OperatorBatchForm form, BatchOptions options) : OperatorBatch(typeof(TGraph), form, options)
    where TGraph : class;
