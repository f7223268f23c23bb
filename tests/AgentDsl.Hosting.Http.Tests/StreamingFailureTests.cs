using System.Net;
using System.Text;
using AgentDsl.Execution;
using AgentDsl.Hosting.Http.Tests.TestGraphs;
using AgentDsl.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Hosting.Http.Tests;

/// <summary>Failures after a stream started, and the status and Retry-After of each rejection reason.</summary>
public sealed class StreamingFailureTests
{
    [Fact]
    public async Task FailureAfterTheStreamStarted_EndsItWithAnErrorEvent_NamingTheNode_WithoutDone()
    {
        await using var server = await LoopbackServer.StartAsync(
            a => a.AddChatClientDevice("llm", _ => new StreamingChatClient()).AddGraph<StreamThenFailGraph>(),
            app => app.MapAgent<StreamThenFailGraph>());
        using var http = server.Http();

        var response = await http.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"StreamThenFailGraph","stream":true,"messages":[{"role":"user","content":"hello there"}]}""", Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        string[] events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(events, e => e.Contains("\"content\":\"remo\""));
        Assert.StartsWith("data: {\"error\":", events[^1]);
        using var error = System.Text.Json.JsonDocument.Parse(events[^1]["data: ".Length..]);
        Assert.Equal("Graph 'StreamThenFailGraph': node 'Check' failed.", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain("[DONE]", body);
        Assert.DoesNotContain("secret", body);
    }

    [Theory]
    [InlineData(RejectionReason.QueueFull, 0, 0, 429, 2)]
    [InlineData(RejectionReason.DeadlineUnreachable, 4200, 1000, 429, 4)]
    [InlineData(RejectionReason.DeadlineUnreachable, 900, 1000, 429, 2)]
    [InlineData(RejectionReason.ShuttingDown, 0, 0, 503, 2)]
    [InlineData(RejectionReason.NoDevice, 0, 0, 503, 2)]
    public void Rejections_MapTo429Or503_WithRetryAfterInWholeSeconds(RejectionReason reason, double predictedMs, double budgetMs, int status, int retryAfter)
    {
        var rejected = new AgentRequestRejectedException("G", reason, "numbers") { PredictedMs = predictedMs, BudgetMs = budgetMs };
        var options = new AgentDslHttpOptions { RetryAfter = TimeSpan.FromMilliseconds(1500) };
        Assert.Equal(status, AgentProblems.StatusOf(reason));
        Assert.Equal(retryAfter, AgentProblems.RetryAfterSeconds(rejected, options));
    }
}
