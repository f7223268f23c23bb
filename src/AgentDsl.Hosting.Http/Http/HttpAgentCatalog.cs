namespace AgentDsl.Http;

/// <summary>The graphs mapped with <c>MapAgent</c>, by model id; filled at start-up, read by every request.</summary>
internal sealed class HttpAgentCatalog
{
    private readonly Dictionary<string, HttpAgentGraph> _graphs = new(StringComparer.Ordinal);
    private HttpAgentGraph[] _list = [];
    private int _warned;

    /// <summary>The graphs in mapping order.</summary>
    public IReadOnlyList<HttpAgentGraph> Graphs => Volatile.Read(ref _list);

    /// <summary>True the first time only: the anonymous-access warning is logged once.</summary>
    public bool WarnAnonymousOnce() => Interlocked.Exchange(ref _warned, 1) == 0;

    public void Add(HttpAgentGraph graph)
    {
        lock (_graphs)
        {
            if (!_graphs.TryAdd(graph.ModelId, graph))
            {
                throw new InvalidOperationException(
                    $"MapAgent: model id '{graph.ModelId}' (graph '{graph.Definition.Name}') is already mapped to graph '{_graphs[graph.ModelId].Definition.Name}'; give one a different AgentChatMapping.ModelId.");
            }

            Volatile.Write(ref _list, [.. _list, graph]);
        }
    }

    /// <summary>
    /// The chat graph a request names; with no model named and exactly one chat graph mapped, that one.
    /// </summary>
    public HttpAgentGraph? FindChat(string? model)
    {
        var list = Graphs;
        if (model is null)
        {
            var chat = list.Where(g => g.ChatInputs is not null).Take(2).ToArray();
            return chat.Length == 1 ? chat[0] : null;
        }

        foreach (var graph in list)
        {
            if (graph.ModelId == model && graph.ChatInputs is not null)
            {
                return graph;
            }
        }

        return null;
    }
}
