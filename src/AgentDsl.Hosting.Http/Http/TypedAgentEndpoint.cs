using System.Text.Json;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.Http;

/// <summary>
/// <c>POST /agents/{graph}</c>: the body is a JSON object with one property per flow parameter (named as in the flow);
/// the answer is <c>{"output": …, "agentdsl": {…}}</c>. Each input is read with the JSON contract resolved when the graph
/// was mapped.
/// </summary>
internal sealed class TypedAgentEndpoint(HttpAgentGraph graph, IOptions<AgentDslHttpOptions> options, ILogger<TypedAgentEndpoint> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        try
        {
            object?[] inputs;
            using (var document = await JsonDocument.ParseAsync(context.Request.Body, default, ct).ConfigureAwait(false))
            {
                inputs = ReadInputs(document.RootElement);
            }

            var result = await graph.RunAsync(inputs, new AgentRequestOptions(), ct).ConfigureAwait(false);
            context.Response.ContentType = "application/json";
            using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
            {
                json.WriteStartObject();
                json.WritePropertyName("output");
                if (graph.OutputType is { } type && result.OutputValue is not null)
                {
                    JsonSerializer.Serialize(json, result.OutputValue, type);
                }
                else
                {
                    json.WriteNullValue();
                }

                AgentRunFields.Write(json, result);
                json.WriteEndObject();
            }

            await context.Response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            HttpLog.LogDebugClientGone(logger, graph.Definition.Name);
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await AgentProblems.WriteAsync(context, graph, e, options.Value, logger).ConfigureAwait(false);
        }
    }

    private object?[] ReadInputs(JsonElement body)
    {
        var definition = graph.Definition;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new BadHttpRequestException(
                $"Graph '{definition.Name}': the body must be a JSON object with the flow's inputs ({string.Join(", ", definition.Inputs.Select(i => $"'{i.Name}': {i.Type}"))}).");
        }

        var inputs = new object?[definition.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var input = definition.Inputs[i];
            if (!body.TryGetProperty(input.Name, out var value))
            {
                throw new BadHttpRequestException($"Graph '{definition.Name}': the body has no property '{input.Name}' (the flow's input {i}, {input.Type}).");
            }

            try
            {
                inputs[i] = value.Deserialize(graph.InputTypes[i]);
            }
            catch (JsonException e)
            {
                throw new BadHttpRequestException($"Graph '{definition.Name}': property '{input.Name}' is not a {input.Type}: {e.Message}");
            }
        }

        return inputs;
    }
}
