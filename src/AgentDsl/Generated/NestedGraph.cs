using AgentDsl.Execution;
using System.ComponentModel;
namespace AgentDsl.Generated;

/// <summary>
/// Runs a nested graph for a node of another graph: through the nested graph's own <see cref="IAgentRunner{TGraph}"/>
/// from the host's services, so its operators are placed and scheduled like any request's. Called by generated node
/// invokers; not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class NestedGraph
{
    /// <summary>Runs <typeparamref name="TGraph"/> on <paramref name="inputs"/> and stores its result as node <paramref name="nodeId"/>'s.</summary>
    /// <typeparam name="TGraph">The nested graph.</typeparam>
    /// <param name="values">The outer request's values (their <see cref="NodeValues.Services"/> provide the runner).</param>
    /// <param name="nodeId">The calling node.</param>
    /// <param name="inputs">The nested flow's inputs, in order.</param>
    /// <param name="cancellationToken">The outer request's token.</param>
    /// <returns>A task that completes with the nested request.</returns>
    /// <exception cref="InvalidOperationException">The nested graph is not registered with the host.</exception>
    public static async ValueTask RunAsync<TGraph>(NodeValues values, int nodeId, object?[] inputs, CancellationToken cancellationToken)
        where TGraph : class, IAgentGraph<TGraph>
    {
        ArgumentNullException.ThrowIfNull(values);
        var runner = values.Services?.GetService(typeof(IAgentRunner<TGraph>)) as IAgentRunner<TGraph>
            ?? throw new InvalidOperationException(
                $"Graph '{TGraph.Definition.Name}' is called as a nested graph but is not registered with the host: add '.AddGraph<{typeof(TGraph).Name}>()' next to the graph that calls it.");
        var result = await runner.RunUntypedAsync(inputs, cancellationToken).ConfigureAwait(false);
        if (TGraph.Definition.OutputType != "void")
        {
            values.SetResult(nodeId, result.OutputValue);
        }
    }
}
