using System.Runtime.CompilerServices;
using AgentDsl;
using AgentDsl.Hosting;
using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.AI;
using Xunit;

namespace AgentDsl.Agents.Tests;

public sealed class InteropTests
{
    [Fact]
    public async Task A_graph_runs_as_an_AIAgent_and_answers_as_its_flow_would()
    {
        await using var session = await AgentApp.StartAsync(new ShoutGraph());
        AIAgent agent = new GraphAgent<ShoutGraph>(session, description: "shouts");

        var response = await agent.RunAsync("hello agents");
        Assert.Equal(new ShoutGraph().Run("hello agents"), response.Text);
        Assert.Equal(ShoutGraph.Definition.Name, agent.Name);

        // Nothing streams from plain operators: the answer comes as one update.
        var updates = new List<AgentResponseUpdate>();
        await foreach (var u in agent.RunStreamingAsync("again")) updates.Add(u);
        Assert.Equal("<AGAIN>", Assert.Single(updates).Text);
        Assert.Equal(2, session.Statistics.Completed);
    }

    [Fact]
    public async Task An_AIAgent_serves_the_llm_node_and_its_stream_passes_through_a_graph_agent()
    {
        var chat = new StreamingChatClient();
        var helper = new ChatClientAgent(chat, instructions: "Answer briefly.", name: "helper");
        await using var session = await AgentApp.StartAsync(new AskGraph(), a => a.AddAIAgentDevice("maf", _ => helper, model: "helper"));
        var outer = new GraphAgent<AskGraph>(session);

        var whole = await outer.RunAsync("why?");
        Assert.Equal("echo:Q: why?", whole.Text); // the agent answered, not the operator's body
        var run = await session.RunAsync("why?");
        Assert.Equal("maf", run.Nodes.Single(n => n.Name == "Answer").Device);

        var pieces = new List<string>();
        await foreach (var u in outer.RunStreamingAsync("why?")) pieces.Add(u.Text);
        Assert.True(pieces.Count > 2, $"{pieces.Count} updates");
        Assert.Equal("echo:Q: why?", string.Concat(pieces));
        Assert.Contains("Answer briefly.", chat.SystemPrompts); // the agent's own instructions went with it
    }

    [Fact]
    public async Task A_graph_is_a_step_of_an_Agent_Framework_workflow()
    {
        await using var session = await AgentApp.StartAsync(new ShoutGraph());
        var trim = new FunctionExecutor<string, string>("trim", (text, _, _) => ValueTask.FromResult(text.Trim()));
        var shout = new GraphExecutor<ShoutGraph>(session);
        var workflow = new WorkflowBuilder(trim).AddEdge(trim, shout).WithOutputFrom(shout).Build();

        await using Run run = await InProcessExecution.RunAsync(workflow, "  step by step  ");
        var output = run.OutgoingEvents.OfType<WorkflowOutputEvent>().Single();

        Assert.Equal(new ShoutGraph().Run("step by step"), output.As<string>()); // "<STEP BY STEP>"
        Assert.Equal(1, session.Statistics.Completed); // the step ran the graph through the runtime
    }

    [Theory]
    [InlineData("a secret recording")]
    [InlineData("is it secret?")]
    public async Task The_pipeline_written_both_ways_answers_the_same(string audio)
    {
        string direct = new PipelineGraph().Run(audio);
        await using var session = await AgentApp.StartAsync(new PipelineGraph());
        Assert.Equal(direct, (await session.RunAsync(audio)).Output);
        var workflow = PipelineWorkflow.Build();
        Assert.Equal(direct, await PipelineWorkflow.RunAsync(workflow, audio));
        Assert.Equal(direct, await PipelineWorkflow.RunAsync(workflow, audio)); // the join's state is per run
    }

    [Fact]
    public async Task A_graph_that_does_not_take_one_string_is_refused_naming_it()
    {
        await using var session = await AgentApp.StartAsync(new PairGraph());
        var error = Assert.Throws<ArgumentException>(() => new GraphAgent<PairGraph>(session));
        Assert.Contains("PairGraph", error.Message, StringComparison.Ordinal);
        Assert.Contains("int a, int b", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers "echo:" + the last user message, streaming it 3 characters at a time.</summary>
    private sealed class StreamingChatClient : IChatClient
    {
        public List<string> SystemPrompts { get; } = [];

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var u in GetStreamingResponseAsync(messages, options, cancellationToken)) updates.Add(u);
            return updates.ToChatResponse();
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            if (options?.Instructions is { } instructions) lock (SystemPrompts) SystemPrompts.Add(instructions);
            foreach (var m in list.Where(m => m.Role == ChatRole.System)) lock (SystemPrompts) SystemPrompts.Add(m.Text);
            string text = "echo:" + list.Last(m => m.Role == ChatRole.User).Text;
            for (int i = 0; i < text.Length; i += 3)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, text[i..Math.Min(i + 3, text.Length)]);
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
