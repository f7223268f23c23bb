using System.Diagnostics.CodeAnalysis;
using AgentDsl;
using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps AgentDsl graphs to HTTP endpoints.</summary>
public static class AgentDslEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the shared endpoints: <c>POST /v1/chat/completions</c> (OpenAI-compatible, streaming or not) and
    /// <c>GET /v1/models</c> over the graphs mapped with <see cref="MapAgent{TGraph}"/>, plus <c>/health/live</c> and
    /// <c>/health/ready</c> (anonymous). Needs <c>AddHttp()</c> on the AgentDsl builder.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>The chat and model endpoints, to add conventions to.</returns>
    /// <exception cref="InvalidOperationException"><c>AddHttp()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapAgentDsl(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var chat = endpoints.ServiceProvider.GetService<ChatCompletionsEndpoint>() ?? throw NotAdded(nameof(MapAgentDsl));
        var group = endpoints.MapGroup("/");
        group.MapPost("/v1/chat/completions", chat.CompleteAsync);
        group.MapGet("/v1/models", chat.ModelsAsync);
        Secure(group, endpoints.ServiceProvider);
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = static _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = static c => c.Tags.Contains("ready") });
        return group;
    }

    /// <summary>
    /// Serves graph <typeparamref name="TGraph"/>: as a chat model (see <see cref="AgentChatMapping"/>) on the endpoints of
    /// <see cref="MapAgentDsl"/>, and at <c>POST /agents/{model id}</c>, whose JSON body holds the flow's inputs by
    /// parameter name. The inputs' and result's JSON contracts are resolved here, once (from the flow method's signature,
    /// with the application's <see cref="Microsoft.AspNetCore.Http.Json.JsonOptions"/>; add a source-generated context to
    /// its resolver chain for trimmed or AOT applications).
    /// </summary>
    /// <typeparam name="TGraph">An <see cref="AgentGraphAttribute"/> class added with <c>AddGraph&lt;TGraph&gt;()</c>.</typeparam>
    /// <param name="endpoints">The application.</param>
    /// <param name="configure">Model id, chat-to-input mapping, streamed node, output text.</param>
    /// <returns>The typed endpoint, to add conventions to.</returns>
    /// <exception cref="InvalidOperationException">The graph or <c>AddHttp()</c> was not added, or the model id is taken.</exception>
    public static IEndpointConventionBuilder MapAgent<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] TGraph>(
        this IEndpointRouteBuilder endpoints, Action<AgentChatMapping>? configure = null)
        where TGraph : class, IAgentGraph<TGraph>
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var catalog = services.GetService<HttpAgentCatalog>() ?? throw NotAdded($"MapAgent<{typeof(TGraph).Name}>");
        var runner = services.GetService<IAgentRunner<TGraph>>()
            ?? throw new InvalidOperationException($"MapAgent<{typeof(TGraph).Name}>: the graph is not registered; add it with AddAgentDsl().AddGraph<{typeof(TGraph).Name}>().");
        var mapping = new AgentChatMapping();
        configure?.Invoke(mapping);
        var json = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var graph = HttpAgentGraph<TGraph>.Create(runner, mapping, json);
        catalog.Add(graph);
        var endpoint = new TypedAgentEndpoint(graph, services.GetRequiredService<IOptions<AgentDslHttpOptions>>(), services.GetRequiredService<ILogger<TypedAgentEndpoint>>());
        var builder = endpoints.MapPost("/agents/" + graph.ModelId, endpoint.InvokeAsync);
        Secure(builder, services);
        return builder;
    }

    /// <summary>Authorization (API keys or the configured scheme), the body size limit and the rate limit: one rule for every endpoint.</summary>
    private static void Secure(IEndpointConventionBuilder builder, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AgentDslHttpOptions>>().Value;
        if (options.AuthenticationScheme is not null || services.GetRequiredService<ApiKeyStore>().Count > 0)
        {
            builder.RequireAuthorization(AgentDslHttpDefaults.AuthorizationPolicy);
        }
        else if (services.GetRequiredService<HttpAgentCatalog>().WarnAnonymousOnce())
        {
            HttpLog.LogWarningAnonymous(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AgentDslEndpointRouteBuilderExtensions).FullName!));
        }

        if (options.RateLimitPermits > 0)
        {
            builder.RequireRateLimiting(AgentDslHttpDefaults.RateLimitPolicy);
        }

        builder.WithMetadata(new RequestSizeLimitAttribute(options.MaxRequestBodyBytes));
    }

    private static InvalidOperationException NotAdded(string method) =>
        new($"{method}: the HTTP services are missing; call builder.UseAgentDsl(a => a.AddHttp()) or services.AddAgentDsl().AddHttp() first.");
}
