using System.ClientModel;
using System.ClientModel.Primitives;
using AgentDsl.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace AgentDsl.Hosting.Http.Tests;

/// <summary>A real Kestrel server on a free loopback port, with AgentDsl's HTTP front and the given graphs.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    public const string Key = "test-key-0123456789";

    private LoopbackServer(WebApplication app, Uri address) => (App, Address) = (app, address);

    public WebApplication App { get; }

    public Uri Address { get; }

    public static async Task<LoopbackServer> StartAsync(
        Action<IAgentDslBuilder> graphs,
        Action<WebApplication> map,
        Dictionary<string, string?>? configuration = null,
        Action<AgentDsl.Hosting.AgentDslOptions>? runtime = null,
        Action<WebApplicationBuilder>? host = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(configuration ?? new() { ["AgentDsl:Http:ApiKeys:0"] = Key });
        builder.UseAgentDsl(a => graphs(a.AddHttp()));
        if (runtime is not null)
        {
            builder.Services.Configure(runtime);
        }

        host?.Invoke(builder);
        var app = builder.Build();
        app.UseRateLimiter();
        app.MapAgentDsl();
        map(app);
        await app.StartAsync();
        return new LoopbackServer(app, new Uri(app.Urls.First()));
    }

    public ChatClient OpenAiChat(string model, string key = Key) =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(Address, "/v1"),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        });

    public HttpClient Http(string? key = Key)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return client;
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
