using AgentDsl.Execution;
using Microsoft.Agents.AI.Workflows;

namespace AgentDsl.Agents;

/// <summary>
/// An AgentDsl graph as a Microsoft Agent Framework workflow executor (<see cref="Executor{TInput, TOutput}"/>): a
/// workflow step that runs the whole graph — its operators placed, run concurrently where independent, admitted and
/// measured by the AgentDsl runtime — and sends the flow's result on. The flow takes one string; its result's text is
/// the executor's output. A graph's failure or rejection fails the step with the runtime's exception.
/// </summary>
/// <typeparam name="TGraph">The graph.</typeparam>
public sealed class GraphExecutor<TGraph> : Executor<string, string>
    where TGraph : class, IAgentGraph<TGraph>
{
    private readonly IAgentRunner<TGraph> _runner;

    /// <summary>Wraps the graph's runner.</summary>
    /// <param name="runner">The graph's runner.</param>
    /// <param name="id">The executor's id in the workflow (default: the graph's name).</param>
    public GraphExecutor(IAgentRunner<TGraph> runner, string? id = null)
        : base(id ?? TGraph.Definition.Name)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        GraphAgent<TGraph>.CheckShape(nameof(runner));
    }

    /// <inheritdoc/>
    public override async ValueTask<string> HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default)
    {
        var result = await _runner.RunUntypedAsync([message], cancellationToken).ConfigureAwait(false);
        return result.OutputValue?.ToString() ?? "";
    }
}
