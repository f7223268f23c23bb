using System.Net;
using System.Text;
using AgentDsl.Execution;
using AgentDsl.Hosting.Http.Tests.TestGraphs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Hosting.Http.Tests;

/// <summary>The typed endpoint, failures, limits and cancellation over real HTTP.</summary>
public sealed class HttpSecurityTests
{
    [Fact]
    public async Task TypedEndpoint_ReadsTheFlowsInputsByName_AndWritesItsResult()
    {
        await using var server = await LoopbackServer.StartAsync(a => a.AddGraph<ScaleGraph>(), app => app.MapAgent<ScaleGraph>());
        using var http = server.Http();

        var ok = await http.PostAsync("/agents/ScaleGraph", Json("""{"values":[1,2,3,4],"factor":1.5}"""));
        string body = await ok.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.StartsWith("""{"output":{"total":15,"count":4},"agentdsl":{"request_id":""", body);

        var missing = await http.PostAsync("/agents/ScaleGraph", Json("""{"values":[1]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("no property 'factor'", await missing.Content.ReadAsStringAsync());

        var wrongType = await http.PostAsync("/agents/ScaleGraph", Json("""{"values":"many","factor":2}"""));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("property 'values' is not a int[]", await wrongType.Content.ReadAsStringAsync());

        var notJson = await http.PostAsync("/agents/ScaleGraph", Json("{values"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task NodeFailure_Is500Problem_NamingTheNode_WithoutTheOperatorsMessageOrStack()
    {
        await using var server = await LoopbackServer.StartAsync(a => a.AddGraph<BrokenGraph>(), app => app.MapAgent<BrokenGraph>());
        using var http = server.Http();

        var failed = await http.PostAsync("/agents/BrokenGraph", Json("""{"text":"x"}"""));
        string body = await failed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"node\":\"Explode\"", body);
        Assert.Contains("node 'Explode' (operator 'Explode') failed on device 'cpu'", body);
        Assert.DoesNotContain("secret", body);
        Assert.DoesNotContain("   at ", body);
    }

    [Fact]
    public async Task RateLimit_IsPerKey_429WithRetryAfter_OtherKeysUnaffected()
    {
        await using var server = await LoopbackServer.StartAsync(
            a => a.AddGraph<ShoutGraph>(),
            app => app.MapAgent<ShoutGraph>(),
            new()
            {
                ["AgentDsl:Http:ApiKeys:0"] = LoopbackServer.Key,
                ["AgentDsl:Http:ApiKeys:1"] = "second-key-abcdef",
                ["AgentDsl:Http:RateLimitPermits"] = "2",
                ["AgentDsl:Http:RateLimitWindow"] = "00:01:00",
            });
        using var first = server.Http();
        using var second = server.Http("second-key-abcdef");

        Assert.Equal(HttpStatusCode.OK, (await first.PostAsync("/agents/ShoutGraph", Json("""{"text":"a"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.PostAsync("/agents/ShoutGraph", Json("""{"text":"b"}"""))).StatusCode);
        var limited = await first.PostAsync("/agents/ShoutGraph", Json("""{"text":"c"}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        Assert.Equal(HttpStatusCode.OK, (await second.PostAsync("/agents/ShoutGraph", Json("""{"text":"d"}"""))).StatusCode);
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413_AndNothingRuns()
    {
        await using var server = await LoopbackServer.StartAsync(
            a => a.AddGraph<ShoutGraph>(),
            app => app.MapAgent<ShoutGraph>(),
            new() { ["AgentDsl:Http:ApiKeys:0"] = LoopbackServer.Key, ["AgentDsl:Http:MaxRequestBodyBytes"] = "256" });
        using var http = server.Http();

        var small = await http.PostAsync("/agents/ShoutGraph", Json("""{"text":"fits"}"""));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        var large = await http.PostAsync("/agents/ShoutGraph", Json("{\"text\":\"" + new string('a', 1000) + "\"}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal(1, server.Service<IAgentRunner<ShoutGraph>>().Statistics.Completed);
    }

    [Fact]
    public async Task ClientDisconnect_CancelsTheRunningRequest()
    {
        await using var server = await LoopbackServer.StartAsync(a => a.AddGraph<GateGraph>(), app => app.MapAgent<GateGraph>());
        var gate = server.Service<GateGraph>();
        var runner = server.Service<IAgentRunner<GateGraph>>();
        using var http = server.Http();
        using var abort = new CancellationTokenSource();

        var call = http.PostAsync("/agents/GateGraph", Json("""{"text":"never"}"""), abort.Token);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        abort.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // The gate never opens: only the client's going away can end the operator's wait.
        var until = DateTime.UtcNow.AddSeconds(10);
        while (runner.Statistics.Cancelled == 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, runner.Statistics.Cancelled);
        Assert.Equal(0, runner.Statistics.InFlight);
    }

    [Fact]
    public async Task WithoutKeys_TheEndpointsAreOpen()
    {
        await using var server = await LoopbackServer.StartAsync(a => a.AddGraph<ShoutGraph>(), app => app.MapAgent<ShoutGraph>(), new());
        using var http = server.Http(key: null);
        var answer = await http.PostAsync("/agents/ShoutGraph", Json("""{"text":"open"}"""));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("\"output\":\"OPEN!\"", await answer.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
