using AgentDsl.Telemetry;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Execution;

/// <summary>The runner's log events (logged to the <c>AgentRunner&lt;TGraph&gt;</c> category by whichever part of the runner logs them).</summary>
internal static partial class RunnerLog
{
    [LoggerMessage(EventId = AgentDslEventIds.GraphPlaced, Level = LogLevel.Debug, Message = "Graph {GraphName}: {NodeCount} nodes placed: {Placement}")]
    public static partial void GraphPlaced(ILogger logger, string graphName, int nodeCount, string placement);

    [LoggerMessage(EventId = AgentDslEventIds.GraphReplanned, Level = LogLevel.Information, Message = "Graph {GraphName} re-planned ({Reason}): {Moves}")]
    public static partial void Replanned(ILogger logger, string graphName, string reason, string moves);

    [LoggerMessage(EventId = AgentDslEventIds.ReplanFailed, Level = LogLevel.Error, Message = "Graph {GraphName}: re-planning ({Reason}) failed: {Message}")]
    public static partial void ReplanFailed(ILogger logger, string graphName, string reason, string message);

    [LoggerMessage(EventId = AgentDslEventIds.RequestRejected, Level = LogLevel.Debug, Message = "Graph {GraphName}: request rejected ({Reason}): {Message}")]
    public static partial void Rejected(ILogger logger, string graphName, string reason, string message);

    [LoggerMessage(EventId = AgentDslEventIds.RunCompleted, Level = LogLevel.Debug, Message = "Graph {GraphName}: request completed in {ElapsedMs} ms")]
    public static partial void DebugRunCompleted(ILogger logger, string graphName, double elapsedMs);

    [LoggerMessage(EventId = AgentDslEventIds.SlaMissed, Level = LogLevel.Warning, Message = "Graph {GraphName}: request took {ElapsedMs} ms, over its budget of {BudgetMs} ms")]
    public static partial void SlaMissed(ILogger logger, string graphName, double elapsedMs, double budgetMs);

    [LoggerMessage(EventId = AgentDslEventIds.RunFailed, Level = LogLevel.Error, Message = "Graph {GraphName}: request failed at node {NodeName} ({Source}) on device {Device}")]
    public static partial void RunFailed(ILogger logger, Exception exception, string graphName, string nodeName, string source, string device);

    [LoggerMessage(EventId = AgentDslEventIds.RunCancelled, Level = LogLevel.Debug, Message = "Graph {GraphName}: request cancelled")]
    public static partial void RunCancelled(ILogger logger, string graphName);

    [LoggerMessage(EventId = AgentDslEventIds.NodeCompleted, Level = LogLevel.Debug, Message = "Graph {GraphName}: node {NodeName} completed on {Device} in {ElapsedMs} ms")]
    public static partial void DebugNodeCompleted(ILogger logger, string graphName, string nodeName, string device, double elapsedMs);

    [LoggerMessage(EventId = AgentDslEventIds.NodeRetried, Level = LogLevel.Debug, Message = "Graph {GraphName}: node {NodeName} attempt {Attempt} failed on {Device} ({Error}); retrying")]
    public static partial void Retry(ILogger logger, string graphName, string nodeName, int attempt, string device, string error);
}
