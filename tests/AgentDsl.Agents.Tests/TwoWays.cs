using AgentDsl;
using Microsoft.Agents.AI.Workflows;

namespace AgentDsl.Agents.Tests;

/// <summary>
/// The reference pipeline — transcribe → redact → (embed → search) ∥ classify → answer → speak — with stub operators,
/// written both ways: as an AgentDsl graph and as a Microsoft Agent Framework workflow. Linked into the benchmarks
/// (docs/benchmarks.md compares their dispatch overhead) and tested to give the same answer.
/// </summary>
public static class PipelineOps
{
    public static string Transcribe(string audio) => $"transcript of {audio}";

    public static string Redact(string text) => text.Replace("secret", "***", StringComparison.Ordinal);

    public static string Embed(string text) => $"v{text.Length}";

    public static string Search(string vector) => $"passages near {vector}";

    public static string Classify(string text) => text.Contains('?', StringComparison.Ordinal) ? "question" : "statement";

    public static string Answer(string passages, string intent) => $"{intent} answered from {passages}";

    public static string Speak(string answer) => $"<speech>{answer}</speech>";
}

/// <summary>The pipeline as an AgentDsl graph (22 lines: the flow says what depends on what; Classify runs beside Embed → Search by itself).</summary>
[AgentGraph(LatencySlaMs = 1_000)]
public partial class PipelineGraph
{
    [Flow]
    public string Run(string audio)
    {
        string text = Redact(Transcribe(audio));
        string passages = Search(Embed(text));
        return Speak(Answer(passages, Classify(text)));
    }

    [Operator(OperatorKind.Model)] public string Transcribe(string audio) => PipelineOps.Transcribe(audio);
    [Operator] public string Redact(string text) => PipelineOps.Redact(text);
    [Operator(OperatorKind.Model)] public string Embed(string text) => PipelineOps.Embed(text);
    [Operator(OperatorKind.Memory)] public string Search(string vector) => PipelineOps.Search(vector);
    [Operator] public string Classify(string text) => PipelineOps.Classify(text);
    [Operator(OperatorKind.Llm)] public string Answer(string passages, string intent) => PipelineOps.Answer(passages, intent);
    [Operator(OperatorKind.Model)] public string Speak(string answer) => PipelineOps.Speak(answer);
}

/// <summary>
/// The pipeline as an Agent Framework workflow: function executors, a fan-out edge after Redact, a fan-in barrier
/// before Answer. Messages are untyped between steps, so the join tells the branches apart by a tag it must parse,
/// and keeps the first branch's message until the second arrives (state per run: one run at a time per workflow).
/// </summary>
public static partial class PipelineWorkflow
{
    public static Workflow Build()
    {
        var transcribe = new FunctionExecutor<string, string>("transcribe", (m, _, _) => ValueTask.FromResult(PipelineOps.Transcribe(m)));
        var redact = new FunctionExecutor<string, string>("redact", (m, _, _) => ValueTask.FromResult(PipelineOps.Redact(m)));
        var embed = new FunctionExecutor<string, string>("embed", (m, _, _) => ValueTask.FromResult(PipelineOps.Embed(m)));
        var search = new FunctionExecutor<string, string>("search", (m, _, _) => ValueTask.FromResult("P:" + PipelineOps.Search(m)));
        var classify = new FunctionExecutor<string, string>("classify", (m, _, _) => ValueTask.FromResult("I:" + PipelineOps.Classify(m)));
        var answer = new AnswerJoin();
        var speak = new FunctionExecutor<string, string>("speak", (m, _, _) => ValueTask.FromResult(PipelineOps.Speak(m)));
        return new WorkflowBuilder(transcribe)
            .AddEdge(transcribe, redact)
            .AddFanOutEdge(redact, [embed, classify])
            .AddEdge(embed, search)
            .AddFanInBarrierEdge([search, classify], answer)
            .AddEdge(answer, speak)
            .WithOutputFrom(speak)
            .Build();
    }

    /// <summary>Waits for both branches, then answers.</summary>
    [SendsMessage(typeof(string))]
    private sealed partial class AnswerJoin() : Executor<string>("answer")
    {
        private string? _passages, _intent;

        public override async ValueTask HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            if (message.StartsWith("P:", StringComparison.Ordinal)) _passages = message[2..];
            else _intent = message[2..];
            if (_passages is { } p && _intent is { } i)
            {
                (_passages, _intent) = (null, null);
                await context.SendMessageAsync(PipelineOps.Answer(p, i), cancellationToken);
            }
        }
    }

    /// <summary>Runs the workflow once and returns its output.</summary>
    public static async Task<string> RunAsync(Workflow workflow, string audio)
    {
        await using Run run = await InProcessExecution.RunAsync(workflow, audio);
        return run.OutgoingEvents.OfType<WorkflowOutputEvent>().Single().As<string>()!;
    }
}
