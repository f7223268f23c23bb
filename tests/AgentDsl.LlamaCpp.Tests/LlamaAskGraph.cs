using AgentDsl;

namespace AgentDsl.LlamaCpp.Tests;

/// <summary>A prompt built on the CPU, answered by an LLM node the llama.cpp engine serves (its body is the stand-in).</summary>
[AgentGraph(LatencySlaMs = 30_000)]
public partial class LlamaAskGraph
{
    [Flow]
    public async Task<string> Run(string question, CancellationToken ct)
    {
        string prompt = BuildPrompt(question);
        return await Answer(prompt, ct);
    }

    [Operator]
    public string BuildPrompt(string question) => "Question: " + question + "\nAnswer:";

    [Operator(OperatorKind.Llm, Model = "seeded-tiny")]
    public Task<string> Answer(string prompt, CancellationToken ct) => Task.FromResult("body:" + prompt);
}
