using AgentDsl;

namespace AgentDsl.Agents.Tests;

/// <summary>Plain operators: string in, string out.</summary>
[AgentGraph(LatencySlaMs = 5_000)]
public partial class ShoutGraph
{
    [Flow]
    public string Run(string message)
    {
        string upper = Upper(message);
        return Wrap(upper);
    }

    [Operator] public string Upper(string text) => text.ToUpperInvariant();

    [Operator] public string Wrap(string text) => $"<{text}>";
}

/// <summary>An LLM node (served by an agent device in the tests; its body is the stand-in).</summary>
[AgentGraph(LatencySlaMs = 5_000)]
public partial class AskGraph
{
    [Flow]
    public async Task<string> Run(string question, CancellationToken ct)
    {
        string prompt = Prompt(question);
        return await Answer(prompt, ct);
    }

    [Operator] public string Prompt(string question) => "Q: " + question;

    [Operator(OperatorKind.Llm, Model = "helper")]
    public Task<string> Answer(string prompt, CancellationToken ct) => Task.FromResult("body:" + prompt);
}

/// <summary>Two inputs: not an agent's shape.</summary>
[AgentGraph]
public partial class PairGraph
{
    [Flow]
    public int Run(int a, int b) => Add(a, b);

    [Operator] public int Add(int a, int b) => a + b;
}
