using System.ClientModel;
using System.Text;
using AgentDsl.Hosting.Http.Tests.TestGraphs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;
using OpenAI.Models;
using Xunit;

namespace AgentDsl.Hosting.Http.Tests;

/// <summary>The OpenAI-compatible endpoints, driven by the official OpenAI .NET client and Microsoft.Extensions.AI.</summary>
public sealed class ChatCompletionsTests
{
    private static Task<LoopbackServer> StartChatAsync(StreamingChatClient llm) =>
        LoopbackServer.StartAsync(
            a => a.AddChatClientDevice("llm", _ => llm).AddGraph<ChatGraph>().AddGraph<ShoutGraph>().AddGraph<ScaleGraph>(),
            app =>
            {
                app.MapAgent<ChatGraph>();
                app.MapAgent<ShoutGraph>();
                app.MapAgent<ScaleGraph>();
            });

    [Fact]
    public async Task OpenAiClient_CompletesAChat_WithTheGraphsResult_AndListsTheChatGraphsAsModels()
    {
        await using var server = await StartChatAsync(new StreamingChatClient());

        ChatCompletion completion = (await server.OpenAiChat("ChatGraph").CompleteChatAsync([new SystemChatMessage("ignored"), new UserChatMessage("what is EDF?")])).Value;
        Assert.Equal("remote:Q: what is EDF?", completion.Content.Single().Text);
        Assert.Equal("ChatGraph", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);

        ChatCompletion shout = (await server.OpenAiChat("ShoutGraph").CompleteChatAsync([new UserChatMessage("first"), new AssistantChatMessage("x"), new UserChatMessage("hello")])).Value;
        Assert.Equal("HELLO!", shout.Content.Single().Text);

        // ScaleGraph takes (int[], double): no chat mapping, so it is not a chat model (only POST /agents/ScaleGraph).
        var models = new OpenAIModelClient(new ApiKeyCredential(LoopbackServer.Key), new OpenAIClientOptions { Endpoint = new Uri(server.Address, "/v1") });
        var ids = (await models.GetModelsAsync()).Value.Select(m => m.Id).ToArray();
        Assert.Equal(["ChatGraph", "ShoutGraph"], ids);

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => server.OpenAiChat("ScaleGraph").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(404, unknown.Status);
    }

    [Fact]
    public async Task OpenAiClient_Streams_ChunksLeaveWhileTheNodeRuns_AndMakeUpTheAnswer()
    {
        var llm = new StreamingChatClient { WaitForReader = true };
        await using var server = await StartChatAsync(llm);
        var chat = server.OpenAiChat("ChatGraph");
        string whole = (await chat.CompleteChatAsync([new UserChatMessage("stream me a long answer")])).Value.Content.Single().Text;

        var chunks = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream me a long answer")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                if (part.Text.Length > 0)
                {
                    chunks.Add(part.Text);
                    llm.FirstChunkSeen.TrySetResult(); // the fake sends the rest only after the client has this one
                }
            }

            finish ??= update.FinishReason;
        }

        // The fake LLM held back everything after its first chunk until that chunk reached this client: streaming is real.
        Assert.Equal(llm.Streamed.Count, chunks.Count);
        Assert.True(chunks.Count > 3, $"{chunks.Count} chunks");
        Assert.Equal(whole, string.Concat(chunks));
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task StreamingAGraphWithoutAnLlmNode_SendsTheResultAsOneChunk()
    {
        await using var server = await StartChatAsync(new StreamingChatClient());
        var text = new StringBuilder();
        await foreach (var update in server.OpenAiChat("ShoutGraph").CompleteChatStreamingAsync([new UserChatMessage("quiet")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("QUIET!", text.ToString());
    }

    [Fact]
    public async Task MicrosoftExtensionsAiClient_GetsResponses_AndStreamingResponses()
    {
        await using var server = await StartChatAsync(new StreamingChatClient());
        IChatClient client = server.OpenAiChat("ChatGraph").AsIChatClient();

        var response = await client.GetResponseAsync("how do deadlines work?");
        Assert.Equal("remote:Q: how do deadlines work?", response.Text);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("how do deadlines work?"))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count(u => u.Text.Length > 0) > 3);
        Assert.Equal(response.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(response.Text, updates.ToChatResponse().Text);
    }

    [Fact]
    public async Task WrongKey_Is401_MissingKey_Is401_AndHealthNeedsNoKey()
    {
        await using var server = await StartChatAsync(new StreamingChatClient());

        var wrong = await Assert.ThrowsAsync<ClientResultException>(() => server.OpenAiChat("ChatGraph", key: "test-key-0123456788").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(401, wrong.Status);

        using var anonymous = server.Http(key: null);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/models")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/agents/ShoutGraph", new StringContent("""{"text":"x"}"""))).StatusCode);

        using var header = server.Http(key: null);
        header.DefaultRequestHeaders.Add("X-Api-Key", LoopbackServer.Key);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await header.GetAsync("/v1/models")).StatusCode);

        var live = await anonymous.GetAsync("/health/live");
        var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Overload_Is429_WithRetryAfter_ThroughTheOpenAiClient()
    {
        await using var server = await LoopbackServer.StartAsync(
            a => a.AddGraph<GateGraph>(),
            app => app.MapAgent<GateGraph>(),
            runtime: o => o.MaxInFlightRequests = 1);
        var gate = server.Service<GateGraph>();
        using var http = server.Http();
        var first = http.PostAsync("/agents/GateGraph", new StringContent("""{"text":"first"}"""));
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var rejected = await Assert.ThrowsAsync<ClientResultException>(() => server.OpenAiChat("GateGraph").CompleteChatAsync([new UserChatMessage("second")]));
        Assert.Equal(429, rejected.Status);
        var raw = rejected.GetRawResponse()!;
        Assert.True(raw.Headers.TryGetValue("Retry-After", out string? retryAfter));
        Assert.Equal("1", retryAfter);
        Assert.Contains("QueueFull", raw.Content.ToString());

        gate.Gate.SetResult();
        var done = await first;
        Assert.Equal(System.Net.HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("\"output\":\"first\"", await done.Content.ReadAsStringAsync());
    }
}
