namespace AgentDsl.Hosting;

/// <summary>Names the HTTP front registers: its authentication scheme, authorization policy and rate-limiting policy.</summary>
public static class AgentDslHttpDefaults
{
    /// <summary>The API-key authentication scheme.</summary>
    public const string ApiKeyScheme = "AgentDslApiKey";

    /// <summary>The authorization policy the endpoints require (an authenticated caller of the configured scheme).</summary>
    public const string AuthorizationPolicy = "AgentDsl";

    /// <summary>The rate-limiting policy (fixed window per caller) the endpoints use when <c>RateLimitPermits</c> is above 0.</summary>
    public const string RateLimitPolicy = "AgentDsl";

    /// <summary>The header that carries an API key besides <c>Authorization: Bearer</c>.</summary>
    public const string ApiKeyHeader = "X-Api-Key";
}
