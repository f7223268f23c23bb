using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Ir;
using Microsoft.AspNetCore.Http;

namespace AgentDsl.Http;

/// <summary>
/// A graph as the HTTP front serves it: its runner, its JSON contracts (resolved once, when the graph is mapped) and its
/// chat mapping.
/// </summary>
internal abstract class HttpAgentGraph
{
    protected HttpAgentGraph(GraphDefinition definition, AgentChatMapping mapping, JsonTypeInfo[] inputTypes, JsonTypeInfo? outputType)
    {
        Definition = definition;
        ModelId = mapping.ModelId ?? definition.Name;
        InputTypes = inputTypes;
        OutputType = outputType;
        ChatInputs = mapping.Inputs ?? (definition.Inputs is [{ Type: "string" }] ? LastUserMessage : null);
        Output = mapping.Output ?? FormatOutput;
        StreamNode = mapping.StreamNode is { } node ? definition.GetNode(node).Name : DefaultStreamNode(definition);
    }

    /// <summary>The graph's definition.</summary>
    public GraphDefinition Definition { get; }

    /// <summary>The model id clients name.</summary>
    public string ModelId { get; }

    /// <summary>The JSON contract of each flow input, in order.</summary>
    public JsonTypeInfo[] InputTypes { get; }

    /// <summary>The JSON contract of the flow's result; null for a flow without one.</summary>
    public JsonTypeInfo? OutputType { get; }

    /// <summary>Chat messages to flow inputs; null when the graph is not served as a chat model.</summary>
    public Func<IReadOnlyList<ChatTurn>, object?[]>? ChatInputs { get; }

    /// <summary>The flow's result as the assistant's text.</summary>
    public Func<object?, string> Output { get; }

    /// <summary>The node whose tokens stream; null for none.</summary>
    public string? StreamNode { get; }

    /// <summary>Runs one request.</summary>
    public abstract Task<AgentRunResult> RunAsync(object?[] inputs, AgentRequestOptions options, CancellationToken cancellationToken);

    private static object?[] LastUserMessage(IReadOnlyList<ChatTurn> messages)
    {
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == "user")
            {
                return [messages[i].Text];
            }
        }

        throw new BadHttpRequestException("The chat request has no 'user' message: the graph's input is the last user message's text.");
    }

    private string FormatOutput(object? value) => value switch
    {
        null => "",
        string s => s,
        _ => OutputType is { } type ? JsonSerializer.Serialize(value, type) : value.ToString() ?? "",
    };

    private static string? DefaultStreamNode(GraphDefinition definition)
    {
        if (definition.Output is { Source: ValueSource.Node, Index: int id } && definition.Nodes[id].Kind == OperatorKind.Llm)
        {
            return definition.Nodes[id].Name;
        }

        return definition.Nodes.LastOrDefault(n => n.Kind == OperatorKind.Llm)?.Name;
    }
}

/// <summary>The HTTP view of graph <typeparamref name="TGraph"/>.</summary>
internal sealed class HttpAgentGraph<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] TGraph> : HttpAgentGraph
    where TGraph : class, IAgentGraph<TGraph>
{
    private readonly IAgentRunner<TGraph> _runner;

    private HttpAgentGraph(IAgentRunner<TGraph> runner, AgentChatMapping mapping, JsonTypeInfo[] inputTypes, JsonTypeInfo? outputType)
        : base(TGraph.Definition, mapping, inputTypes, outputType) => _runner = runner;

    public override Task<AgentRunResult> RunAsync(object?[] inputs, AgentRequestOptions options, CancellationToken cancellationToken) =>
        _runner.RunUntypedAsync(inputs, options, cancellationToken);

    /// <summary>
    /// Builds the view. The flow method's parameter and return types are looked up by reflection here, once per mapped
    /// graph (the IR carries them as C# text only); requests then use the cached <see cref="JsonTypeInfo"/>s.
    /// </summary>
    public static HttpAgentGraph<TGraph> Create(IAgentRunner<TGraph> runner, AgentChatMapping mapping, JsonSerializerOptions json)
    {
        var definition = TGraph.Definition;
        var flow = typeof(TGraph)
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == definition.Flow)
            .Select(m => (Method: m, Parameters: m.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).ToArray()))
            .FirstOrDefault(m => m.Parameters.Length == definition.Inputs.Length);
        if (flow.Method is null)
        {
            throw new InvalidOperationException(
                $"Graph '{definition.Name}': no method '{typeof(TGraph).FullName}.{definition.Flow}' with {definition.Inputs.Length} parameter(s) (cancellation tokens aside) to take the JSON input types from.");
        }

        if (!json.IsReadOnly)
        {
            json.MakeReadOnly(populateMissingResolver: true);
        }

        var inputs = flow.Parameters.Select(p => json.GetTypeInfo(p.ParameterType)).ToArray();
        var result = Unwrap(flow.Method.ReturnType);
        return new HttpAgentGraph<TGraph>(runner, mapping, inputs, result is null ? null : json.GetTypeInfo(result));
    }

    private static Type? Unwrap(Type type)
    {
        if (type == typeof(void) || type == typeof(Task) || type == typeof(ValueTask))
        {
            return null;
        }

        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return type.GetGenericArguments()[0];
        }

        return type;
    }
}
