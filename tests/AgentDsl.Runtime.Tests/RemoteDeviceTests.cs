using System.Text.Json;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Ir;
using AgentDsl.Runtime.Tests.TestGraphs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AgentDsl.Runtime.Tests;

/// <summary>Devices in another process: an LLM endpoint behind IChatClient, and nodes sent as serialized messages.</summary>
public sealed class RemoteDeviceTests
{
    [Fact]
    public async Task ChatClientDevice_RunsTheLlmNode_WithTheModelName_AndPricesTheTokens()
    {
        var client = new FakeChatClient();
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl()
            .AddChatClientDevice("llm", _ => client, o => (o.InputUsdPerMillionTokens, o.OutputUsdPerMillionTokens, o.SystemPrompt) = (1.0, 2.0, "Be brief."))
            .AddGraph<AskGraph>());
        var result = await host.Runner<AskGraph>().RunAsync("what is EDF?");

        Assert.Equal("remote:Q: what is EDF?", result.Output);
        Assert.Equal("llm", result.Nodes.Single(n => n.Name == "Answer").Device);
        Assert.Equal("cpu", result.Nodes.Single(n => n.Name == "Polish").Device);
        Assert.Equal("tiny-llm", client.ModelIds.Single());

        // 10 input tokens at $1/M and 5 output tokens at $2/M: $0.00002 on top of the CPU's free busy time.
        Assert.Equal(2e-5, result.CostUsd, 12);

        // What crossed the boundary is serializable with Microsoft.Extensions.AI's JSON contracts.
        var sent = client.Sent.Single();
        string json = JsonSerializer.Serialize(sent, AIJsonUtilities.DefaultOptions);
        var back = JsonSerializer.Deserialize<List<ChatMessage>>(json, AIJsonUtilities.DefaultOptions)!;
        Assert.Equal(["Be brief.", "Q: what is EDF?"], back.Select(m => m.Text));
        Assert.Equal([ChatRole.System, ChatRole.User], back.Select(m => m.Role));
    }

    [Fact]
    public async Task ChatClientDevice_StreamsTheAnswerToTheCaller_WhenTheRequestListens()
    {
        var client = new FakeChatClient();
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl()
            .AddChatClientDevice("llm", _ => client, o => (o.InputUsdPerMillionTokens, o.OutputUsdPerMillionTokens) = (1.0, 2.0))
            .AddGraph<AskGraph>());
        var received = new List<NodeText>();
        var result = await host.Runner<AskGraph>().RunUntypedAsync(["what is EDF?"], new AgentRequestOptions
        {
            OnText = t =>
            {
                lock (received)
                {
                    received.Add(t);
                }
            },
        });

        // Every chunk the endpoint streamed reached the caller, in order, named by node and device, before the
        // request ended; they make up the node's result; the usage in the stream is priced as before.
        Assert.Equal(client.Streamed, received.Select(t => t.Text));
        Assert.True(received.Count > 3);
        Assert.All(received, t => Assert.Equal(("Answer", "llm"), (t.Node, t.Device)));
        Assert.Equal("remote:Q: what is EDF?", string.Concat(received.Select(t => t.Text)));
        Assert.Equal("remote:Q: what is EDF?", result.OutputValue);
        Assert.Equal(2e-5, result.CostUsd, 12);

        // Without a listener the device does not stream (the non-streaming call answers).
        client.Streamed.Clear();
        await host.Runner<AskGraph>().RunAsync("again");
        Assert.Empty(client.Streamed);
    }

    [Fact]
    public async Task ChatClientDevice_HonoursItsConcurrencyLimit()
    {
        var client = new FakeChatClient { Delay = TimeSpan.FromMilliseconds(20) };
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl()
            .AddChatClientDevice("llm", _ => client, o => o.MaxConcurrency = 2)
            .AddGraph<AskGraph>());
        var runner = host.Runner<AskGraph>();
        var outcomes = await Outcomes.DriveAsync(12, concurrency: 12, i => runner.RunUntypedAsync([$"q{i}"]));
        Assert.Equal(12, outcomes.Completed.Count);
        Assert.Equal(2, client.MaxConcurrent);
    }

    [Fact]
    public async Task FailingEndpoint_FallsBackToTheLocalImplementation()
    {
        var client = new FakeChatClient { Fail = true };
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl()
            .AddChatClientDevice("llm", _ => client)
            .AddGraph<AskGraph>());
        var runner = host.Runner<AskGraph>();
        var outcomes = await Outcomes.DriveAsync(10, concurrency: 2, i => runner.RunUntypedAsync([$"q{i}"]));

        // Safe to retry: each failed remote attempt is retried on the CPU, which runs the operator's C# body.
        Assert.Equal(10, outcomes.Completed.Count);
        Assert.All(outcomes.Completed, r => Assert.StartsWith("local:Q: q", (string)r.OutputValue!, StringComparison.Ordinal));
        Assert.True(runner.Statistics.Retries >= 1);
    }

    [Fact]
    public void ChatClientDevice_RunsOnlyStringToStringLlmNodes()
    {
        var device = new ChatClientDevice("llm", new FakeChatClient());
        Assert.True(device.CanRun(AskGraph.Definition.GetNode("Answer")));
        Assert.False(device.CanRun(AskGraph.Definition.GetNode("Polish")));
        Assert.False(device.CanRun(AcceleratedGraph.Definition.GetNode("Accelerate")));
        Assert.True(device.Descriptor.IsRemote);
        Assert.Equal(DeviceKinds.Remote, device.Descriptor.Kind);
    }

    [Fact]
    public async Task RemoteAgentDevice_SendsEachNodeAsAJsonMessage_AndGetsTheSameResults()
    {
        var farSide = new AcceleratedGraph();
        var transport = new JsonLoopbackTransport(AcceleratedGraph.Definition, new NodeInvocationExecutor<AcceleratedGraph>(farSide));
        var remote = new RemoteAgentDevice(new DeviceDescriptor("remote-gpu", DeviceKinds.Gpu) { MaxConcurrency = 4 }, transport);
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddDevice(remote).AddGraph<AcceleratedGraph>());
        var runner = host.Runner<AcceleratedGraph>();

        for (int x = -3; x <= 3; x++)
        {
            var result = await runner.RunUntypedAsync([x]);
            Assert.Equal((2 * x) + 1, result.OutputValue);
            Assert.Equal("remote-gpu", result.Nodes.Single(n => n.Name == "Accelerate").Device);
        }

        Assert.Equal(7, transport.Messages);
        Assert.Contains("\"Graph\":\"AcceleratedGraph\"", transport.LastJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteErrors_ComeBackWithTheRemoteTypeAndMessage()
    {
        var executor = new NodeInvocationExecutor<AcceleratedGraph>(new AcceleratedGraph());
        var wrong = new NodeInvocation(1, "OtherGraph", 0, "Accelerate", 0, DateTimeOffset.MaxValue, []);
        var answer = await executor.ExecuteAsync(wrong, CancellationToken.None);
        Assert.False(answer.Succeeded);
        Assert.Contains("no node 0 named 'Accelerate' of graph 'OtherGraph'", answer.Error!.Message, StringComparison.Ordinal);

        var unplugged = new RemoteAgentDevice(new DeviceDescriptor("gone", DeviceKinds.Gpu), new UnreachableTransport());
        var backup = new SimDevice("backup", DeviceKinds.Accelerator, latencyMs: 0);
        using var host = await TestHost.StartAsync(s => s.AddAgentDsl().AddDevice(unplugged).AddDevice(backup).AddGraph<UnretriedGraph>());
        var result = await host.Runner<UnretriedGraph>().RunUntypedAsync([4]);
        Assert.Equal(9, result.OutputValue);
        Assert.Equal("backup", result.Nodes.Single(n => n.Name == "Accelerate").Device);
    }

    /// <summary>Serializes every message to JSON and back, converting values by their IR type, as a network hop would.</summary>
    private sealed class JsonLoopbackTransport(GraphDefinition graph, NodeInvocationExecutor<AcceleratedGraph> executor) : IRemoteNodeTransport
    {
        private int _messages;

        public int Messages => _messages;

        public string LastJson { get; private set; } = "";

        public async ValueTask<NodeCompletion> InvokeAsync(NodeInvocation invocation, CancellationToken cancellationToken)
        {
            string json = JsonSerializer.Serialize(invocation);
            LastJson = json;
            Interlocked.Increment(ref _messages);
            var received = JsonSerializer.Deserialize<NodeInvocation>(json)!;
            var typed = received with
            {
                Arguments = [.. received.Arguments.Select(a => a with { Value = Convert(a.Value, a.Type) })],
            };
            var answer = await executor.ExecuteAsync(typed, cancellationToken);
            var back = JsonSerializer.Deserialize<NodeCompletion>(JsonSerializer.Serialize(answer))!;
            return back with { Result = Convert(back.Result, graph.Nodes[back.NodeId].ResultType) };
        }

        private static object? Convert(object? value, string irType) => value is JsonElement e
            ? irType switch
            {
                "int" => e.GetInt32(),
                "string" => e.GetString(),
                "double" => e.GetDouble(),
                _ => throw new NotSupportedException($"No JSON conversion for IR type '{irType}'."),
            }
            : value;
    }

    private sealed class UnreachableTransport : IRemoteNodeTransport
    {
        public ValueTask<NodeCompletion> InvokeAsync(NodeInvocation invocation, CancellationToken cancellationToken) =>
            throw new DeviceUnavailableException("gone", "connection refused");
    }

    /// <summary>Answers "remote:" + the prompt, reports 10 input and 5 output tokens, and records concurrency.</summary>
    private sealed class FakeChatClient : IChatClient
    {
        private int _running;

        public TimeSpan Delay { get; init; }

        public bool Fail { get; init; }

        public int MaxConcurrent { get; private set; }

        public List<string?> ModelIds { get; } = [];

        public List<List<ChatMessage>> Sent { get; } = [];

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            int now = Interlocked.Increment(ref _running);
            lock (Sent)
            {
                MaxConcurrent = Math.Max(MaxConcurrent, now);
                Sent.Add([.. messages]);
                ModelIds.Add(options?.ModelId);
            }

            try
            {
                if (Fail)
                {
                    throw new HttpRequestException("503 Service Unavailable");
                }

                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, cancellationToken);
                }

                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "remote:" + messages.Last().Text))
                {
                    Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 },
                };
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        /// <summary>Streams "remote:" + the prompt in chunks of 4 characters, then the usage; records when each chunk left.</summary>
        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            lock (Sent)
            {
                Sent.Add([.. messages]);
                ModelIds.Add(options?.ModelId);
            }

            string text = "remote:" + messages.Last().Text;
            for (int i = 0; i < text.Length; i += 4)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                lock (Streamed)
                {
                    Streamed.Add(text[i..Math.Min(i + 4, text.Length)]);
                }

                yield return new ChatResponseUpdate(ChatRole.Assistant, text[i..Math.Min(i + 4, text.Length)]);
            }

            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 })] };
        }

        public List<string> Streamed { get; } = [];

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
