namespace AgentDsl.Hosting;

/// <summary>
/// How a graph is served by <c>MapAgent&lt;TGraph&gt;</c>: its model id, how an OpenAI chat request becomes the flow's
/// inputs, and which node's tokens stream. Every property is optional.
/// </summary>
public sealed class AgentChatMapping
{
    /// <summary>The model id clients name (<c>"model"</c> in a chat request, <c>GET /v1/models</c>); default the graph's name.</summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Turns the chat request's messages into the flow's arguments, in order. Default, for a flow with one <c>string</c>
    /// parameter: the text of the last <c>user</c> message. A graph with other inputs and no mapping is served at
    /// <c>POST /agents/{graph}</c> only (not as a chat model).
    /// </summary>
    public Func<IReadOnlyList<ChatTurn>, object?[]>? Inputs { get; set; }

    /// <summary>
    /// The node whose text streams to a client that asks for <c>"stream": true</c>. Default: the node producing the flow's
    /// result when it is an LLM node, otherwise the last LLM node of the graph, otherwise none (the result is sent as one
    /// chunk when the request ends).
    /// </summary>
    public string? StreamNode { get; set; }

    /// <summary>
    /// Turns the flow's result into the assistant message's text. Default: a <c>string</c> result as is, anything else as
    /// JSON.
    /// </summary>
    public Func<object?, string>? Output { get; set; }
}
