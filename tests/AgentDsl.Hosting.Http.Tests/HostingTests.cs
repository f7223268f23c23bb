using System.Diagnostics;
using System.Net;
using System.Text;
using AgentDsl.Hosting.Http.Tests.TestGraphs;
using AgentDsl.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using AgentDsl.Execution;
using AgentDsl.Orchestration;
using Xunit;

namespace AgentDsl.Hosting.Http.Tests;

/// <summary>Registration errors, configuration checks and trace nesting.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task MisspeltHttpKey_FailsStartUp_NamingIt()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackServer.StartAsync(
            a => a.AddGraph<ShoutGraph>(),
            app => app.MapAgent<ShoutGraph>(),
            new() { ["AgentDsl:Http:RateLimitPermit"] = "5" }));
        Assert.Contains("RateLimitPermit", error.Message);
    }

    [Fact]
    public async Task MappingAGraphNotAdded_Throws_NamingTheGraph()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LoopbackServer.StartAsync(
            a => a.AddGraph<ShoutGraph>(),
            app => app.MapAgent<ScaleGraph>()));
        Assert.Contains("MapAgent<ScaleGraph>", error.Message);
        Assert.Contains("AddGraph<ScaleGraph>", error.Message);

        var twice = await Assert.ThrowsAsync<InvalidOperationException>(() => LoopbackServer.StartAsync(
            a => a.AddGraph<ShoutGraph>().AddGraph<ScaleGraph>(),
            app =>
            {
                app.MapAgent<ShoutGraph>(m => m.ModelId = "same");
                app.MapAgent<ScaleGraph>(m => m.ModelId = "same");
            }));
        Assert.Contains("model id 'same'", twice.Message);
    }

    [Fact]
    public async Task TheRunsActivity_IsAChildOfTheHttpRequestsActivity()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Microsoft.AspNetCore" or AgentDslTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await LoopbackServer.StartAsync(a => a.AddGraph<ShoutGraph>(), app => app.MapAgent<ShoutGraph>());
        using var http = server.Http();

        // Tests run in parallel: this request's trace id is its own (W3C traceparent from the client).
        var traceId = ActivityTraceId.CreateRandom();
        using var message = new HttpRequestMessage(HttpMethod.Post, "/agents/ShoutGraph")
        {
            Content = new StringContent("""{"text":"traced"}""", Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var answer = await http.SendAsync(message);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await server.App.StopAsync();

        Activity run, request;
        lock (stopped)
        {
            run = stopped.Single(a => a.OperationName == AgentDslTelemetry.RunActivityName && a.TraceId == traceId);
            request = stopped.Single(a => a.Source.Name == "Microsoft.AspNetCore" && a.TraceId == traceId);
        }

        Assert.Equal(request.SpanId, run.ParentSpanId);
    }

    [Fact]
    public async Task PrometheusScraping_ServesTheRuntimesMeter_BesideAspNetCores()
    {
        await using var server = await LoopbackServer.StartAsync(
            a => a.AddGraph<ShoutGraph>(),
            app =>
            {
                app.MapAgent<ShoutGraph>();
                app.MapPrometheusScrapingEndpoint();
            },
            host: b => b.Services.AddOpenTelemetry().WithMetrics(m => m
                .AddMeter(AgentDslTelemetry.Name, "Microsoft.AspNetCore.Hosting")
                .AddPrometheusExporter()));
        using var http = server.Http();
        var answer = await http.PostAsync("/agents/ShoutGraph", new StringContent("""{"text":"count me"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        string metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("agentdsl_request_duration", metrics);
        Assert.Contains("agentdsl_requests", metrics);
        Assert.Contains("http_server_request_duration_seconds", metrics);
        Assert.DoesNotContain(LoopbackServer.Key, metrics);
    }

    [Fact]
    public async Task Readiness_FollowsTheRuntime_HealthyWhileServing_UnhealthyWhileDraining()
    {
        await using var server = await LoopbackServer.StartAsync(a => a.AddGraph<GateGraph>(), app => app.MapAgent<GateGraph>());
        var health = server.Service<HealthCheckService>();
        var gate = server.Service<GateGraph>();
        var ready = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(HealthStatus.Healthy, ready.Status);

        // A request in flight keeps the runtime draining once the host stops: readiness must then say no.
        var inFlight = server.Service<IAgentRunner<GateGraph>>().RunUntypedAsync(["drain"]);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = server.App.StopAsync();
        var runtime = server.Service<AgentRuntime>();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!runtime.Stopping && DateTime.UtcNow < until)
        {
            await Task.Delay(5);
        }

        var draining = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(HealthStatus.Unhealthy, draining.Status);
        Assert.Equal("The runtime is shutting down.", draining.Entries["agentdsl"].Description);

        gate.Gate.SetResult();
        Assert.Equal("drain", (await inFlight).OutputValue);
        await stopping;
    }
}
