using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A prompt, an LLM call (remote when an endpoint is registered, local otherwise), a CPU step.</summary>
[AgentGraph(LatencySlaMs = 5000)]
public partial class AskGraph
{
    [Flow]
    public async Task<string> Run(string question, CancellationToken ct)
    {
        string prompt = BuildPrompt(question);
        string answer = await Answer(prompt, ct);
        return Polish(answer);
    }

    [Operator]
    public string BuildPrompt(string question) => "Q: " + question;

    [Operator(OperatorKind.Llm, Model = "tiny-llm", PreferredDevices = DeviceKinds.Remote, SafeToRetry = true)]
    public Task<string> Answer(string prompt, CancellationToken ct) => Task.FromResult("local:" + prompt);

    [Operator]
    public string Polish(string answer) => answer.Trim();
}
