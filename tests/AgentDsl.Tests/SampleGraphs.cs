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

/// <summary>A branching graph: nested if/else with early returns and a ternary, for the exports and mlir-opt.</summary>
[AgentGraph(LatencySlaMs = 200)]
public partial class BranchingGraph
{
    [Flow]
    public string Run(string text, int limit)
    {
        var ok = Check(text);
        if (!ok)
        {
            return Reject(text, "invalid");
        }

        var big = IsBig(text, limit);
        if (big)
        {
            var part = Split(text, limit);
            return IsBig(part, 2) ? Summarize(part) : part;
        }

        return Summarize(text);
    }

    [Operator] public bool Check(string text) => text.Length > 0;

    [Operator] public string Reject(string text, string why) => why;

    [Operator(TrueProbability = 0.25)] public bool IsBig(string text, int limit) => text.Length > limit;

    [Operator] public string Split(string text, int limit) => text[..limit];

    [Operator(OperatorKind.Llm, Model = "tiny", ModelParameters = 1e6, Layers = 2, HiddenSize = 64, Heads = 4)]
    public string Summarize(string text) => text.ToUpperInvariant();
}

/// <summary>Fan-out over a node result and over a parameter, for the exports and mlir-opt.</summary>
[AgentGraph]
public partial class MapGraph
{
    [Flow]
    public async Task<string> Run(string text, string[] extra, CancellationToken ct)
    {
        var words = Words(text);
        var vectors = await Task.WhenAll(words.Select(w => Embed(w, ct)));
        var lengths = extra.Select(e => Length(e)).ToArray();
        return Merge(vectors, lengths);
    }

    [Operator] public string[] Words(string text) => text.Split(' ');

    [Operator(OperatorKind.Model, Flops = 1e6)] public Task<float[]> Embed(string word, CancellationToken ct) => Task.FromResult(new float[] { word.Length });

    [Operator] public int Length(string s) => s.Length;

    [Operator] public string Merge(float[][] vectors, int[] lengths) => $"{vectors.Length}:{lengths.Sum()}";
}

/// <summary>A bounded while loop with a reassigned local and an if that reassigns, for the exports and mlir-opt.</summary>
[AgentGraph]
public partial class LoopGraph
{
    [Flow(MaxIterations = 3)]
    public string Run(string text)
    {
        var draft = Start(text);
        while (!Good(draft))
        {
            draft = Improve(draft);
        }

        if (Good(draft))
        {
            draft = Polish(draft);
        }

        return draft;
    }

    [Operator] public string Start(string text) => text;

    [Operator] public bool Good(string draft) => draft.Length > 3;

    [Operator] public string Improve(string draft) => draft + "!";

    [Operator] public string Polish(string draft) => draft.Trim();
}
