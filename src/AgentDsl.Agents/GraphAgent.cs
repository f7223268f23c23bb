using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using AgentDsl.Execution;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace AgentDsl.Agents;

/// <summary>
/// An AgentDsl graph as a Microsoft Agent Framework <see cref="AIAgent"/>, so a team can adopt AgentDsl one step at a
/// time: anything that calls an <see cref="AIAgent"/> (a workflow, another agent, an AG-UI or A2A host) runs the graph.
/// The text of the last user message is the flow's one string input; the flow's result (its <c>ToString()</c>) is the
/// answer. Streaming passes through the text the graph's nodes produce (<see cref="AgentRequestOptions.OnText"/>:
/// llama.cpp tokens, a streamed endpoint); a graph that streams nothing yields its answer as one update. The agent is
/// stateless: a session carries nothing between runs (the graph's own operators keep what they keep).
/// </summary>
/// <typeparam name="TGraph">The graph.</typeparam>
public sealed class GraphAgent<TGraph> : AIAgent
    where TGraph : class, IAgentGraph<TGraph>
{
    private readonly IAgentRunner<TGraph> _runner;

    /// <summary>Wraps the graph's runner.</summary>
    /// <param name="runner">The graph's runner (from DI, or an <c>AgentApp</c> session).</param>
    /// <param name="name">The agent's name (default: the graph's).</param>
    /// <param name="description">What the agent does.</param>
    /// <exception cref="ArgumentException">The flow does not take exactly one string input.</exception>
    public GraphAgent(IAgentRunner<TGraph> runner, string? name = null, string? description = null)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        CheckShape(nameof(runner));
        Name = name ?? TGraph.Definition.Name;
        Description = description;
    }

    /// <inheritdoc/>
    public override string? Name { get; }

    /// <inheritdoc/>
    public override string? Description { get; }

    /// <inheritdoc/>
    protected override ValueTask<AgentSession> CreateSessionCoreAsync(CancellationToken cancellationToken) => new(new StatelessSession());

    /// <inheritdoc/>
    protected override ValueTask<JsonElement> SerializeSessionCoreAsync(AgentSession session, JsonSerializerOptions? jsonSerializerOptions, CancellationToken cancellationToken) =>
        new(JsonSerializer.SerializeToElement(new Dictionary<string, string>()));

    /// <inheritdoc/>
    protected override ValueTask<AgentSession> DeserializeSessionCoreAsync(JsonElement serializedState, JsonSerializerOptions? jsonSerializerOptions, CancellationToken cancellationToken) =>
        new(new StatelessSession());

    /// <inheritdoc/>
    protected override async Task<AgentResponse> RunCoreAsync(IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? options, CancellationToken cancellationToken)
    {
        var result = await _runner.RunUntypedAsync([Input(messages)], cancellationToken).ConfigureAwait(false);
        return new AgentResponse(new ChatMessage(ChatRole.Assistant, result.OutputValue?.ToString() ?? "")) { AgentId = Id };
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var run = _runner.RunUntypedAsync([Input(messages)], new AgentRequestOptions { OnText = t => channel.Writer.TryWrite(t.Text) }, cancellationToken);
        _ = run.ContinueWith(_ => channel.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        bool streamed = false;
        await foreach (string text in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            streamed = true;
            yield return new AgentResponseUpdate(ChatRole.Assistant, text) { AgentId = Id };
        }

        var result = await run.ConfigureAwait(false); // its failure surfaces here
        if (!streamed)
        {
            yield return new AgentResponseUpdate(ChatRole.Assistant, result.OutputValue?.ToString() ?? "") { AgentId = Id };
        }
    }

    /// <summary>The one rule for graphs interop can run: the flow takes one string (a message).</summary>
    internal static void CheckShape(string parameter)
    {
        var graph = TGraph.Definition;
        if (graph.Inputs.Length != 1 || !Devices.PromptNodes.IsText(graph.Inputs[0].Type))
        {
            throw new ArgumentException(
                $"Graph '{graph.Name}' ({graph.TypeName}) takes ({string.Join(", ", graph.Inputs.Select(i => $"{i.Type} {i.Name}"))}); an agent's or workflow step's graph takes one string (the message).",
                parameter);
        }
    }

    private static string Input(IEnumerable<ChatMessage> messages) =>
        messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? messages.LastOrDefault()?.Text ?? "";

    private sealed class StatelessSession : AgentSession;
}
