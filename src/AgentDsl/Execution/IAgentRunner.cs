namespace AgentDsl.Execution;

/// <summary>
/// Runs requests through the graph <typeparamref name="TGraph"/>. Resolve it from dependency
/// injection after <c>services.AddAgentDsl().AddGraph&lt;TGraph&gt;()</c>. The generator adds a typed
/// <c>RunAsync</c> extension per graph that takes the flow's parameters.
/// </summary>
/// <typeparam name="TGraph">The graph class.</typeparam>
public interface IAgentRunner<TGraph>
    where TGraph : class, IAgentGraph<TGraph>
{
    /// <summary>
    /// Runs one request with untyped inputs. Prefer the generated, typed <c>RunAsync</c> extension;
    /// this entry point is for hosts that only know the graph at run time (tools, the CLI).
    /// </summary>
    /// <param name="inputs">The flow's arguments in order (cancellation token excluded).</param>
    /// <param name="cancellationToken">Cancels the request; the token reaches every operator.</param>
    /// <returns>The result with per-node timings.</returns>
    /// <exception cref="AgentNodeException">An operator failed; the exception names the node and wraps the original.</exception>
    /// <exception cref="OperationCanceledException">The request was cancelled.</exception>
    /// <exception cref="ArgumentException">The number of inputs does not match the graph.</exception>
    Task<AgentRunResult> RunUntypedAsync(object?[] inputs, CancellationToken cancellationToken = default);

    /// <summary>Runs one request with untyped inputs and per-request settings (a latency budget other than the SLA).</summary>
    /// <param name="inputs">The flow's arguments in order (cancellation token excluded).</param>
    /// <param name="options">Per-request settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the request; the token reaches every operator.</param>
    /// <returns>The result with per-node timings.</returns>
    /// <exception cref="AgentRequestRejectedException">Admission turned the request away; nothing ran.</exception>
    /// <exception cref="AgentNodeException">An operator failed; the exception names the node and wraps the original.</exception>
    Task<AgentRunResult> RunUntypedAsync(object?[] inputs, AgentRequestOptions? options, CancellationToken cancellationToken = default) =>
        RunUntypedAsync(inputs, cancellationToken);

    /// <summary>Running totals of this graph's requests: submitted, completed, failed, rejected, cancelled, SLA met, cost.</summary>
    AgentGraphStatistics Statistics => throw new NotSupportedException($"{GetType().Name} keeps no statistics.");
}
