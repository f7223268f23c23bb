using AgentDsl.Hosting;
using AgentDsl.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AgentDsl HTTP front.</summary>
public static class AgentDslHttpBuilderExtensions
{
    /// <summary>
    /// Adds the services the HTTP endpoints need: options bound from <c>AgentDsl:Http</c> (when the builder came with
    /// configuration, as <c>builder.UseAgentDsl(...)</c> gives it), API-key authentication, the authorization and per-caller
    /// rate-limiting policies and the readiness health check. Idempotent. Map the endpoints with <c>app.MapAgentDsl()</c>
    /// and <c>app.MapAgent&lt;TGraph&gt;()</c>; call <c>app.UseRateLimiter()</c> when <c>RateLimitPermits</c> is set.
    /// </summary>
    /// <param name="builder">The AgentDsl builder.</param>
    /// <param name="configure">Configures <see cref="AgentDslHttpOptions"/> after configuration is bound.</param>
    /// <returns>The builder.</returns>
    public static IAgentDslBuilder AddHttp(this IAgentDslBuilder builder, Action<AgentDslHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<AgentDslHttpOptions>();
        if (builder.Configuration is { } configuration)
        {
            options.Bind(configuration.GetSection("Http"));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(HttpAgentCatalog)))
        {
            return builder;
        }

        services.AddSingleton(new AgentDslConfigurationSection("Http", typeof(AgentDslHttpOptions)));
        options
            .Validate(o => o.MaxRequestBodyBytes > 0, "AgentDsl:Http:MaxRequestBodyBytes must be above 0.")
            .Validate(o => o.RateLimitPermits >= 0, "AgentDsl:Http:RateLimitPermits must be 0 (off) or above.")
            .Validate(o => o.RateLimitWindow > TimeSpan.Zero, "AgentDsl:Http:RateLimitWindow must be above 0.")
            .Validate(o => o.RetryAfter >= TimeSpan.Zero, "AgentDsl:Http:RetryAfter must not be negative.")
            .Validate(o => o.AuthenticationScheme is null || o.AuthenticationScheme.Length > 0, "AgentDsl:Http:AuthenticationScheme must not be empty (omit it to use API keys).")
            .ValidateOnStart();
        services.TryAddSingleton<HttpAgentCatalog>();
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddSingleton<ChatCompletionsEndpoint>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AgentDslHttpDefaults.ApiKeyScheme, configureOptions: null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<AgentDslHttpOptions>>((authorization, http) =>
            authorization.AddPolicy(AgentDslHttpDefaults.AuthorizationPolicy, policy => policy
                .AddAuthenticationSchemes(http.Value.AuthenticationScheme ?? AgentDslHttpDefaults.ApiKeyScheme)
                .RequireAuthenticatedUser()));
        services.AddRateLimiter(limiter => limiter.AddPolicy<string, PerCallerRateLimiterPolicy>(AgentDslHttpDefaults.RateLimitPolicy));
        services.AddHealthChecks().AddCheck<AgentRuntimeHealthCheck>("agentdsl", tags: ["ready"]);
        return builder;
    }
}
