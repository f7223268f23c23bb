using AgentDsl;

namespace AgentDsl.Tests;

/// <summary>A graph with the awkward cases for exports: quotes, backslashes and non-ASCII in constants, void and static operators, an input returned as output.</summary>
[AgentGraph(LatencySlaMs = 42.5, Percentile = 0.9, Name = "exports \"quoted\"")]
public partial class ExportGraph
{
    [Flow]
    public async Task<string> Run(string text, int count, CancellationToken ct)
    {
        var tagged = Tag(text, "say \"héllo\" \\ ✓", count);
        Log(tagged);
        await Send(tagged, ct);
        return Pick(tagged, text);
    }

    [Operator(OperatorKind.Compute, Flops = 1e12, BytesMoved = 3.5, AllowedDevices = DeviceKinds.Cpu | DeviceKinds.Gpu)]
    public static string Tag(string text, string label, int count) => label + text + count;

    [Operator] public void Log(string s) { }

    [Operator(OperatorKind.Tool, SafeToRetry = true)]
    public Task Send(string s, CancellationToken ct) => Task.CompletedTask;

    [Operator(OperatorKind.Llm, Model = "tiny", ModelParameters = 1e6, Layers = 2, HiddenSize = 64, Heads = 4, Precision = Precision.Bf16)]
    public string Pick(string a, string b) => a.Length > b.Length ? a : b;
}

/// <summary>The simplest graph: returns its input through no node.</summary>
[AgentGraph]
public partial class IdentityGraph
{
    [Flow]
    public string Run(string text) => Echo(text);

    [Operator] public string Echo(string text) => text;
}
