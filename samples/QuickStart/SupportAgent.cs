using AgentDsl;
using AgentDsl.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace QuickStart;

/// <summary>
/// A support agent: normalise the question, then two branches run in parallel — redact, embed and
/// look up passages; classify the intent — and join in the draft, which is checked against the passages.
/// </summary>
[AgentGraph(LatencySlaMs = 250, Percentile = 0.99)]
public partial class SupportAgent(PassageIndex index)
{
    [Flow]
    public async Task<Answer> Answer(string question, CancellationToken ct)
    {
        var text = Normalize(question);
        var intent = ClassifyIntent(text);                 // branch 1
        var redacted = Redact(text);                       // branch 2 ...
        var query = Embed(redacted);
        var passages = await Search(query, 3, ct);         // ... to here
        var draft = await Draft(redacted, passages, intent, ct);
        return Check(draft, passages, intent);
    }

    [Operator(OperatorKind.Compute, Flops = 2e3, BytesMoved = 4e3)]
    public string Normalize(string question) => TextOps.Normalize(question);

    [Operator(OperatorKind.Compute, Flops = 5e3)]
    public Intent ClassifyIntent(string text) => TextOps.Classify(text);

    [Operator(OperatorKind.Compute, Flops = 1e4)]
    public string Redact(string text) => TextOps.Redact(text);

    [Operator(OperatorKind.Model, Model = "hashed-bow-256", Flops = 1e6, BytesMoved = 1e5, MemoryFootprintBytes = 1e6, Batchable = true)]
    public float[] Embed(string text) => TextOps.Embed(text, PassageIndex.Dimensions);

    /// <summary>
    /// The batch form of <c>Embed</c> (an overload taking a list, found by the generator): the texts of concurrent
    /// requests are embedded in one call per micro-batch, grouped within a wait bound derived from the 250 ms SLA.
    /// </summary>
    public float[][] Embed(IReadOnlyList<string> texts) => [.. texts.Select(t => TextOps.Embed(t, PassageIndex.Dimensions))];

    [Operator(OperatorKind.Memory, BytesMoved = 1e6, MemoryFootprintBytes = 4e6, SafeToRetry = true)]
    public Task<Passage[]> Search(float[] query, int top, CancellationToken ct) => index.SearchAsync(query, top, ct);

    [Operator(OperatorKind.Llm, Model = "llama-3-8b", ModelParameters = 8.03e9, Layers = 32, HiddenSize = 4096, Heads = 32, KvHeads = 8,
              Precision = Precision.Fp16, PromptTokens = 512, OutputTokens = 32, AllowedDevices = DeviceKinds.Any, PreferredDevices = DeviceKinds.Gpu | DeviceKinds.Remote)]
    public async Task<string> Draft(string question, Passage[] passages, Intent intent, CancellationToken ct)
    {
        // Stands in for an LLM call: a remote endpoint takes tens of milliseconds to answer.
        await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        return TextOps.Draft(question, passages, intent);
    }

    [Operator(OperatorKind.Compute, Flops = 1e4)]
    public Answer Check(string draft, Passage[] passages, Intent intent) => TextOps.Check(draft, passages, intent);
}
