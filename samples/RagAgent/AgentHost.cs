using System.ClientModel;
using AgentDsl.Devices;
using AgentDsl.Hosting;
using AgentDsl.LlamaCpp;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RagAgent;

/// <summary>How the sample's host is set up: which LLM serves the Answer node and on how many engine contexts.</summary>
/// <param name="Placement"><c>planned</c>: two llama.cpp contexts, the cost model splitting prefill and decode between them; <c>single</c>: one context does both.</param>
public sealed record AgentSetup(string Placement, int? Chunks, string? ModelPath, string SeededShape, string? Endpoint, string? EndpointModel, string? ApiKey);

/// <summary>Builds and starts the sample's host.</summary>
public static class AgentHost
{
    /// <summary>Hourly prices the sample gives its devices (illustrative, for cost per request): the big context, the small one, the CPU and the ONNX session.</summary>
    public const double BigContextUsd = 0.40, SmallContextUsd = 0.20, CpuUsd = 0.10, OnnxUsd = 0.10;

    public static async Task<(IHost Host, string Corpus)> StartAsync(AgentSetup setup, string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        int cores = Environment.ProcessorCount;
        var settings = new Dictionary<string, string?>
        {
            ["AgentDsl:Devices:cpu:HourlyCostUsd"] = CpuUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AgentDsl:Devices:onnx-cpu:HourlyCostUsd"] = OnnxUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<DocsCorpus>();
        builder.UseAgentDsl(a =>
        {
            a.AddGraph<DocsAgent>().AddOpenClDevices().AddOnnxDevice();
            if (setup.Endpoint is { } endpoint)
            {
                // An OpenAI-compatible server (OpenAI, Ollama, vLLM, llama-server): streaming passes through to the caller.
                var client = new OpenAI.Chat.ChatClient(setup.EndpointModel ?? "default", new ApiKeyCredential(setup.ApiKey ?? "none"),
                    new OpenAI.OpenAIClientOptions { Endpoint = new Uri(endpoint) });
                a.AddChatClientDevice("endpoint", _ => client.AsIChatClient());
                return;
            }

            a.AddLlamaCpp(o =>
            {
                o.ModelPath = setup.ModelPath;
                o.SeededShape = setup.SeededShape;
                o.ModelName = "docs-llm";
                o.ContextSize = 1024;
                o.MaxTokens = 16;
                o.Contexts["a"] = new LlamaContextOptions { Threads = cores, HourlyCostUsd = BigContextUsd };
                if (setup.Placement == "planned")
                {
                    o.Contexts["b"] = new LlamaContextOptions { Threads = Math.Max(1, cores / 2), HourlyCostUsd = SmallContextUsd };
                    o.Split = LlamaSplitPolicy.Auto;
                }
                else
                {
                    o.Split = LlamaSplitPolicy.Never;
                }
            });
        });

        var host = builder.Build();
        await host.StartAsync();
        string corpus = await host.Services.GetRequiredService<DocsCorpus>().BuildAsync(setup.Chunks, host.Services.GetServices<IDeviceSource>());
        return (host, corpus);
    }
}
