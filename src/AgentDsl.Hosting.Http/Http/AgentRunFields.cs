using AgentDsl.Execution;
using System.Text.Json;

namespace AgentDsl.Http;

/// <summary>The run's figures, added to every answer under <c>agentdsl</c> (clients that do not know them ignore them).</summary>
internal static class AgentRunFields
{
    public static void Write(Utf8JsonWriter json, AgentRunResult result)
    {
        json.WriteStartObject("agentdsl");
        json.WriteNumber("request_id", result.RequestId);
        json.WriteNumber("elapsed_ms", result.Elapsed.TotalMilliseconds);
        json.WriteBoolean("met_sla", result.MetSla);
        json.WriteNumber("cost_usd", result.CostUsd);
        json.WriteEndObject();
    }
}
