using AgentDsl;

namespace AgentDsl.Hosting.Http.Tests.TestGraphs;

/// <summary>A prompt, then an LLM call served by the chat-client device; the LLM's answer is the result (it streams).</summary>
[AgentGraph(LatencySlaMs = 10_000)]
public partial class ChatGraph
{
    [Flow]
    public async Task<string> Run(string question, CancellationToken ct)
    {
        string prompt = BuildPrompt(question);
        return await Answer(prompt, ct);
    }

    [Operator]
    public string BuildPrompt(string question) => "Q: " + question;

    [Operator(OperatorKind.Llm, Model = "tiny-llm", PreferredDevices = DeviceKinds.Remote)]
    public Task<string> Answer(string prompt, CancellationToken ct) => Task.FromResult("local:" + prompt);
}

/// <summary>A deterministic C# step: nothing streams, the result is sent whole.</summary>
[AgentGraph(LatencySlaMs = 10_000)]
public partial class ShoutGraph
{
    [Flow]
    public string Run(string text) => Shout(text);

    [Operator]
    public string Shout(string text) => text.ToUpperInvariant() + "!";
}

/// <summary>Two typed inputs and a record result, for the typed JSON endpoint.</summary>
[AgentGraph(LatencySlaMs = 10_000)]
public partial class ScaleGraph
{
    [Flow]
    public Scaled Run(int[] values, double factor) => Scale(values, factor);

    [Operator]
    public Scaled Scale(int[] values, double factor) => new(values.Sum() * factor, values.Length);
}

/// <summary>The result of <see cref="ScaleGraph"/>.</summary>
public sealed record Scaled(double Total, int Count);

/// <summary>An operator that waits until the test opens its gate: keeps a request in flight.</summary>
[AgentGraph(LatencySlaMs = 10_000)]
public partial class GateGraph
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Flow]
    public Task<string> Run(string text, CancellationToken ct) => Wait(text, ct);

    [Operator]
    public async Task<string> Wait(string text, CancellationToken ct)
    {
        Entered.TrySetResult();
        await Gate.Task.WaitAsync(ct);
        return text;
    }
}

/// <summary>An operator that throws: the request fails naming the node.</summary>
[AgentGraph(LatencySlaMs = 10_000)]
public partial class BrokenGraph
{
    [Flow]
    public string Run(string text) => Explode(text);

    [Operator]
    public string Explode(string text) => throw new InvalidOperationException("secret internal detail at C:\\srv\\" + text);
}

/// <summary>An LLM node that streams, then a C# step that throws: the failure comes after the stream has started.</summary>
[AgentGraph(LatencySlaMs = 10_000)]
public partial class StreamThenFailGraph
{
    [Flow]
    public async Task<string> Run(string question, CancellationToken ct)
    {
        string answer = await Answer(question, ct);
        return Check(answer);
    }

    [Operator(OperatorKind.Llm, Model = "tiny-llm", PreferredDevices = DeviceKinds.Remote)]
    public Task<string> Answer(string prompt, CancellationToken ct) => Task.FromResult("local:" + prompt);

    [Operator]
    public string Check(string answer) => throw new InvalidOperationException("secret: rejected " + answer);
}
