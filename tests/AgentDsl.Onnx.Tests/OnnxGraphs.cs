using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Onnx.Tests;

/// <summary>
/// A graph whose Model node is text → embedding and names MiniLM: the ONNX device serves it. The C# body (the
/// fallback on the managed CPU device) returns a marker vector and counts its calls, so a test sees which ran.
/// </summary>
[AgentGraph(Name = "onnx-embed")]
public partial class OnnxEmbedGraph
{
    /// <summary>How often the C# body ran.</summary>
    public int BodyCalls;

    [Flow]
    public async Task<float[]> Run(string text, CancellationToken ct)
    {
        var prepared = await Prepare(text, ct);
        return Embed(prepared);
    }

    /// <summary>Yields, so that concurrent requests reach the Model node at nearly the same time.</summary>
    [Operator]
    public async Task<string> Prepare(string text, CancellationToken ct)
    {
        await Task.Yield();
        return text;
    }

    /// <summary>Pinned to the engine (Accelerator): under load the planner could otherwise place some nodes on the CPU body.</summary>
    [Operator(OperatorKind.Model, Model = MiniLmEmbedder.ModelName, AllowedDevices = DeviceKinds.Accelerator)]
    public float[] Embed(string text)
    {
        Interlocked.Increment(ref BodyCalls);
        return [-1f];
    }
}

/// <summary>The other result types of the shape rule, and a node that is not text → embedding (two inputs).</summary>
[AgentGraph(Name = "onnx-shapes")]
public partial class OnnxShapesGraph
{
    [Flow]
    public async Task<float> Run(string text, CancellationToken ct)
    {
        var memory = AsMemory(text);
        var list = await AsList(text, ct);
        var pair = Pair(text, text);
        return Sum(memory, list, pair);
    }

    [Operator]
    public static float Sum(ReadOnlyMemory<float> memory, IReadOnlyList<float> list, float[] pair) => memory.Span[0] + list[0] + pair[0];

    [Operator(OperatorKind.Model, Model = "ALL-minilm-L6-V2", PreferredDevices = DeviceKinds.Accelerator)]
    public ReadOnlyMemory<float> AsMemory(string text) => new float[] { 100f };

    [Operator(OperatorKind.Model, Model = MiniLmEmbedder.ModelName, PreferredDevices = DeviceKinds.Accelerator)]
    public Task<IReadOnlyList<float>> AsList(string text, CancellationToken ct) => Task.FromResult<IReadOnlyList<float>>([100f]);

    [Operator(OperatorKind.Model, Model = MiniLmEmbedder.ModelName, PreferredDevices = DeviceKinds.Accelerator)]
    public float[] Pair(string a, string b) => [1000f];
}

/// <summary>A Model node naming another model: the ONNX device does not take it.</summary>
[AgentGraph(Name = "onnx-other-model")]
public partial class OtherModelGraph
{
    [Flow]
    public float[] Run(string text)
    {
        return Embed(text);
    }

    [Operator(OperatorKind.Model, Model = "bge-small-en", PreferredDevices = DeviceKinds.Accelerator)]
    public float[] Embed(string text) => [-1f];
}

/// <summary>
/// A Batchable operator with a batch form (the runtime's micro-batching): placed on the ONNX device, which batches by
/// itself, each request still gets its own vector. Records the batch form's calls (it must not run there).
/// </summary>
[AgentGraph(Name = "onnx-batchable")]
public partial class BatchableEmbedGraph
{
    public ConcurrentQueue<int> BatchFormCalls { get; } = new();

    [Flow]
    public async Task<float[]> Run(string text, CancellationToken ct)
    {
        var prepared = await Prepare(text, ct);
        return Embed(prepared);
    }

    [Operator]
    public async Task<string> Prepare(string text, CancellationToken ct)
    {
        await Task.Yield();
        return text;
    }

    [Operator(OperatorKind.Model, Model = MiniLmEmbedder.ModelName, Batchable = true, AllowedDevices = DeviceKinds.Accelerator)]
    public float[] Embed(string text) => [-1f];

    public float[][] Embed(IReadOnlyList<string> texts)
    {
        BatchFormCalls.Enqueue(texts.Count);
        return [.. texts.Select(_ => new[] { -2f })];
    }
}

/// <summary>The text goes straight from the graph input to the engine, so a null input reaches the device (which rejects it).</summary>
[AgentGraph(Name = "onnx-direct")]
public partial class DirectEmbedGraph
{
    [Flow]
    public float[] Run(string? text)
    {
        return Embed(text);
    }

    [Operator(OperatorKind.Model, Model = MiniLmEmbedder.ModelName, AllowedDevices = DeviceKinds.Accelerator)]
    public float[] Embed(string? text) => [-1f];
}
