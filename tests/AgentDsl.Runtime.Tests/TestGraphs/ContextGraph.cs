using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>Async operators that read an ambient (AsyncLocal) value; the first also changes it before its await.</summary>
[AgentGraph]
public partial class ContextGraph
{
    public static readonly AsyncLocal<string?> Ambient = new();

    [Flow]
    public async Task<string> Run(string x)
    {
        var a = await First(x);
        var b = await Second(a);
        return await Second(b);
    }

    [Operator]
    public async Task<string> First(string x)
    {
        string? seen = Ambient.Value;
        Ambient.Value = "set-by-first"; // an operator's own change: must not reach the operators after it
        await Task.Yield();
        return x + ":" + seen;
    }

    [Operator]
    public async Task<string> Second(string x)
    {
        string? seen = Ambient.Value;
        await Task.Yield();
        return x + ":" + seen;
    }
}
