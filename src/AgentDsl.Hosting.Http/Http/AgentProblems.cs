using System.Globalization;
using System.Text.Json;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Http;

/// <summary>
/// Turns a failed request into its HTTP answer (<c>application/problem+json</c>): admission rejections to 429/503 with
/// <c>Retry-After</c>, a node failure to 500 naming the node (the operator's exception is logged, not sent), bad input to 400.
/// </summary>
internal static class AgentProblems
{
    /// <summary>The status code of a rejection: 429 for overload (retry here later), 503 for a server that cannot serve.</summary>
    public static int StatusOf(RejectionReason reason) => reason switch
    {
        RejectionReason.QueueFull or RejectionReason.DeadlineUnreachable => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>Seconds to wait before retrying: the overshoot of an unreachable deadline, else the configured default.</summary>
    public static int RetryAfterSeconds(AgentRequestRejectedException rejected, AgentDslHttpOptions options)
    {
        double seconds = rejected.Reason == RejectionReason.DeadlineUnreachable && rejected.PredictedMs > rejected.BudgetMs
            ? (rejected.PredictedMs - rejected.BudgetMs) / 1000
            : options.RetryAfter.TotalSeconds;
        return Math.Max(1, (int)Math.Ceiling(seconds));
    }

    public static Task WriteAsync(HttpContext context, HttpAgentGraph? graph, Exception exception, AgentDslHttpOptions options, ILogger logger)
    {
        string graphName = graph?.Definition.Name ?? "?";
        switch (exception)
        {
            case AgentRequestRejectedException rejected:
                context.Response.Headers.RetryAfter = RetryAfterSeconds(rejected, options).ToString(CultureInfo.InvariantCulture);
                return Write(context, StatusOf(rejected.Reason), "Request rejected", rejected.Message, [("graph", rejected.Graph), ("reason", rejected.Reason.ToString())]);
            case AgentNodeException failed:
                HttpLog.LogErrorNodeFailed(logger, failed.Graph, failed.Node.Name, failed.Device, failed);
                return Write(
                    context,
                    StatusCodes.Status500InternalServerError,
                    "Node failed",
                    $"Graph '{failed.Graph}': node '{failed.Node.Name}' (operator '{failed.Node.Operator}') failed on device '{failed.Device}'.",
                    [("graph", failed.Graph), ("node", failed.Node.Name), ("device", failed.Device)]);
            case BadHttpRequestException bad:
                return Write(context, bad.StatusCode, "Bad request", bad.Message, [("graph", graphName)]);
            case JsonException json:
                return Write(context, StatusCodes.Status400BadRequest, "Bad request", "The body is not valid JSON: " + json.Message, [("graph", graphName)]);
            default:
                HttpLog.LogErrorRequestFailed(logger, graphName, exception);
                return Write(context, StatusCodes.Status500InternalServerError, "Request failed", $"Graph '{graphName}': the request failed.", [("graph", graphName)]);
        }
    }

    /// <summary>Logs a failure that can no longer change the status code (a stream already under way).</summary>
    public static void Log(HttpAgentGraph graph, Exception exception, ILogger logger)
    {
        if (exception is AgentNodeException failed)
        {
            HttpLog.LogErrorNodeFailed(logger, failed.Graph, failed.Node.Name, failed.Device, failed);
        }
        else
        {
            HttpLog.LogErrorRequestFailed(logger, graph.Definition.Name, exception);
        }
    }

    /// <summary>Writes a problem with <paramref name="status"/> and string extensions.</summary>
    public static Task Write(HttpContext context, int status, string title, string detail, (string Name, string Value)[] extensions)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in extensions)
        {
            values[name] = value;
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: values).ExecuteAsync(context);
    }
}
