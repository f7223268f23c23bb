using Microsoft.Extensions.Logging;

namespace AgentDsl.Http;

/// <summary>The HTTP front's log messages (event ids 1100–1119). API keys never appear in them.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "AgentDsl HTTP endpoints accept anonymous requests: no API keys under AgentDsl:Http:ApiKeys and no AuthenticationScheme")]
    public static partial void LogWarningAnonymous(ILogger logger);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Graph {Graph}: node {Node} failed on device {Device}; answered 500")]
    public static partial void LogErrorNodeFailed(ILogger logger, string graph, string node, string device, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Graph {Graph}: the request failed; answered 500")]
    public static partial void LogErrorRequestFailed(ILogger logger, string graph, Exception exception);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Graph {Graph}: the client went away; the request was cancelled")]
    public static partial void LogDebugClientGone(ILogger logger, string graph);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "API key authentication failed for {Path}")]
    public static partial void LogInformationKeyRejected(ILogger logger, string path);
}
