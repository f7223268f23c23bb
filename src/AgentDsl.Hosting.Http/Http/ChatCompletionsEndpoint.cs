using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.Http;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>GET /v1/models</c> in the OpenAI wire format: the request's <c>model</c> picks
/// the graph, its messages become the flow's inputs, and with <c>"stream": true</c> the chosen node's text is sent as
/// server-sent events (<c>data: {chunk}</c> … <c>data: [DONE]</c>) while the node runs.
/// </summary>
internal sealed class ChatCompletionsEndpoint(HttpAgentCatalog catalog, IOptions<AgentDslHttpOptions> options, ILogger<ChatCompletionsEndpoint> logger)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public async Task ModelsAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var graph in catalog.Graphs)
            {
                if (graph.ChatInputs is null)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("id", graph.ModelId);
                json.WriteString("object", "model");
                json.WriteNumber("created", 0);
                json.WriteString("owned_by", "agentdsl");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public async Task CompleteAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        HttpAgentGraph? graph = null;
        try
        {
            var (model, messages, stream) = await ReadRequestAsync(context.Request, ct).ConfigureAwait(false);
            graph = catalog.FindChat(model);
            if (graph is null)
            {
                await AgentProblems.Write(
                    context,
                    StatusCodes.Status404NotFound,
                    "Unknown model",
                    model is null
                        ? "The request names no 'model' and more (or fewer) than one graph is served as a chat model; GET /v1/models lists them."
                        : $"No graph is served as chat model '{model}'; GET /v1/models lists them.",
                    [("model", model ?? "")]).ConfigureAwait(false);
                return;
            }

            object?[] inputs = graph.ChatInputs!(messages);
            if (stream)
            {
                await StreamAsync(context, graph, inputs, ct).ConfigureAwait(false);
                return;
            }

            var result = await graph.RunAsync(inputs, new AgentRequestOptions(), ct).ConfigureAwait(false);
            context.Response.ContentType = "application/json";
            using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
            {
                WriteCompletion(json, graph, result);
            }

            await context.Response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            HttpLog.LogDebugClientGone(logger, graph?.Definition.Name ?? "?");
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await AgentProblems.WriteAsync(context, graph, e, options.Value, logger).ConfigureAwait(false);
        }
    }

    private async Task StreamAsync(HttpContext context, HttpAgentGraph graph, object?[] inputs, CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        string? node = graph.StreamNode;
        var run = graph.RunAsync(
            inputs,
            new AgentRequestOptions { OnText = node is null ? null : t => { if (t.Node == node) channel.Writer.TryWrite(t.Text); } },
            ct);
        _ = run.ContinueWith(static (_, w) => ((ChannelWriter<string>)w!).TryComplete(), channel.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var streamed = new StringBuilder();
        bool started = false;
        await foreach (string text in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            started = await StartOnceAsync(context, started, id, created, graph, ct).ConfigureAwait(false);
            streamed.Append(text);
            await WriteChunkAsync(context, id, created, graph.ModelId, role: false, text, finish: null, ct).ConfigureAwait(false);
        }

        AgentRunResult result;
        try
        {
            result = await run.ConfigureAwait(false);
        }
        catch (Exception e) when (started && e is not OperationCanceledException)
        {
            // The status line is gone: tell the client in the stream, the way OpenAI reports errors mid-stream.
            AgentProblems.Log(graph, e, logger);
            await WriteErrorEventAsync(context, e is AgentNodeException n ? $"Graph '{n.Graph}': node '{n.Node.Name}' failed." : "The request failed.", ct).ConfigureAwait(false);
            return;
        }

        started = await StartOnceAsync(context, started, id, created, graph, ct).ConfigureAwait(false);
        string output = graph.Output(result.OutputValue);
        string sent = streamed.ToString();
        if (sent.Length == 0 || (output.Length > sent.Length && output.StartsWith(sent, StringComparison.Ordinal)))
        {
            // Nothing streamed (a C# node, or no LLM node), or the result extends what streamed: send the rest.
            await WriteChunkAsync(context, id, created, graph.ModelId, role: false, output[sent.Length..], finish: null, ct).ConfigureAwait(false);
        }

        await WriteChunkAsync(context, id, created, graph.ModelId, role: false, text: null, finish: "stop", ct).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(Done, ct).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task<bool> StartOnceAsync(HttpContext context, bool started, string id, long created, HttpAgentGraph graph, CancellationToken ct)
    {
        if (started)
        {
            return true;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await WriteChunkAsync(context, id, created, graph.ModelId, role: true, text: "", finish: null, ct).ConfigureAwait(false);
        return true;
    }

    private static async Task WriteChunkAsync(HttpContext context, string id, long created, string model, bool role, string? text, string? finish, CancellationToken ct)
    {
        var body = context.Response.BodyWriter;
        body.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("object", "chat.completion.chunk");
            json.WriteNumber("created", created);
            json.WriteString("model", model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            if (role)
            {
                json.WriteString("role", "assistant");
            }

            if (text is not null)
            {
                json.WriteString("content", text);
            }

            json.WriteEndObject();
            if (finish is null)
            {
                json.WriteNull("finish_reason");
            }
            else
            {
                json.WriteString("finish_reason", finish);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        body.Write(EventEnd);
        await body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task WriteErrorEventAsync(HttpContext context, string message, CancellationToken ct)
    {
        var body = context.Response.BodyWriter;
        body.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", "server_error");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        body.Write(EventEnd);
        await body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static void WriteCompletion(Utf8JsonWriter json, HttpAgentGraph graph, AgentRunResult result)
    {
        json.WriteStartObject();
        json.WriteString("id", "chatcmpl-" + result.RequestId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("object", "chat.completion");
        json.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        json.WriteString("model", graph.ModelId);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        json.WriteString("content", graph.Output(result.OutputValue));
        json.WriteEndObject();
        json.WriteString("finish_reason", "stop");
        json.WriteEndObject();
        json.WriteEndArray();
        AgentRunFields.Write(json, result);
        json.WriteEndObject();
    }

    /// <summary>Reads <c>model</c>, <c>messages</c> (string or text-part content) and <c>stream</c>; bad shapes are 400 naming the field.</summary>
    private static async Task<(string? Model, List<ChatTurn> Messages, bool Stream)> ReadRequestAsync(HttpRequest request, CancellationToken ct)
    {
        using var document = await JsonDocument.ParseAsync(request.Body, default, ct).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BadHttpRequestException("The chat request must be a JSON object.");
        }

        string? model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        bool stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (!root.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new BadHttpRequestException("The chat request needs 'messages', an array.");
        }

        var messages = new List<ChatTurn>(list.GetArrayLength());
        int index = 0;
        foreach (var message in list.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                throw new BadHttpRequestException($"messages[{index}] needs a string 'role'.");
            }

            messages.Add(new ChatTurn(role.GetString()!, message.TryGetProperty("content", out var content) ? Text(content, index) : ""));
            index++;
        }

        return (model, messages, stream);
    }

    private static string Text(JsonElement content, int index)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Null:
                return "";
            case JsonValueKind.Array:
                var text = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueEquals("text")
                        && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        text.Append(value.GetString());
                    }
                }

                return text.ToString();
            default:
                throw new BadHttpRequestException($"messages[{index}].content must be a string or an array of content parts.");
        }
    }
}
