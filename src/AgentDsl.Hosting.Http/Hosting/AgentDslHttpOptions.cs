namespace AgentDsl.Hosting;

/// <summary>
/// Settings of the HTTP front (configuration section <c>AgentDsl:Http</c>). Every property has a default that needs no
/// configuration; API keys are the one thing a public deployment must set.
/// </summary>
public sealed class AgentDslHttpOptions
{
    /// <summary>The configuration section: <c>AgentDsl:Http</c>.</summary>
    public const string SectionName = "AgentDsl:Http";

    /// <summary>The default request body limit: 1 MiB.</summary>
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary>The default number of requests one key may make per <see cref="RateLimitWindow"/>: 0, no limit.</summary>
    public const int DefaultRateLimitPermits = 0;

    /// <summary>
    /// The accepted API keys. A request presents one as <c>Authorization: Bearer &lt;key&gt;</c> (what OpenAI clients send)
    /// or <c>X-Api-Key: &lt;key&gt;</c>; keys are compared in constant time and never logged. Empty (and no
    /// <see cref="AuthenticationScheme"/>): the endpoints accept anonymous requests, and a warning says so at start-up.
    /// </summary>
    public List<string> ApiKeys { get; } = [];

    /// <summary>
    /// The authentication scheme the endpoints require instead of the API keys: the name of a scheme you registered with
    /// <c>AddAuthentication().AddScheme&lt;…&gt;(name, …)</c> (JWT bearer, certificates, your own handler). Null: API keys.
    /// </summary>
    public string? AuthenticationScheme { get; set; }

    /// <summary>The largest request body accepted, in bytes; larger requests get 413. Default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// Requests one caller (the API key's identity, or the remote address when anonymous) may make per
    /// <see cref="RateLimitWindow"/> before getting 429 with <c>Retry-After</c>; 0 turns rate limiting off.
    /// </summary>
    public int RateLimitPermits { get; set; } = DefaultRateLimitPermits;

    /// <summary>The rate limit's fixed window. Default one minute.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The <c>Retry-After</c> sent with 429 (queue full) and 503 (shutting down, no device) when the runtime gives no
    /// better figure. A rejection for an unreachable deadline says how far the prediction overshot, rounded up to seconds.
    /// Default one second.
    /// </summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
