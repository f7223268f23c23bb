using AgentDsl;
using AgentDsl.Retrieval;

namespace RagAgent;

/// <summary>
/// A retrieval-augmented agent over the .NET documentation: the question is embedded (MiniLM on ONNX Runtime), the
/// closest passages found (exact top-k on the OpenCL device), and an LLM answers from them (llama.cpp, or an
/// <c>IChatClient</c> endpoint when one is configured). The operators' bodies are what runs when no engine serves a
/// node: they call MiniLM directly, and the LLM's stand-in answers with the best passage.
/// </summary>
[AgentGraph(LatencySlaMs = 8000, Percentile = 0.9)]
public partial class DocsAgent(DocsCorpus corpus)
{
    /// <summary>Passages put in the prompt.</summary>
    public const int Passages = 3;

    /// <summary>Characters of each passage put in the prompt (the seeded model's vocabulary is bytes: one token each).</summary>
    public const int PassageCharacters = 140;

    [Flow]
    public async Task<string> Ask(string question, CancellationToken ct)
    {
        string query = Normalize(question);
        float[] vector = Embed(query);
        string[] passages = await Search(vector, ct);
        string prompt = BuildPrompt(query, passages);
        return await Answer(prompt, ct);
    }

    [Operator(OperatorKind.Compute)]
    public string Normalize(string question) => string.Join(' ', question.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Operator(OperatorKind.Model, Model = "all-MiniLM-L6-v2", Flops = 2.2e9, BytesMoved = 9e7)]
    public float[] Embed(string text) => corpus.Embedder.Embed(text);

    [Operator(OperatorKind.Memory, SafeToRetry = true)]
    public async Task<string[]> Search(float[] query, CancellationToken ct)
    {
        var rows = await corpus.Index.VectorIndex.SearchAsync(query, Passages, ct);
        return [.. rows.Select(r => Passage(corpus.Index.Chunks[r.Row]))];
    }

    [Operator]
    public string BuildPrompt(string question, string[] passages) =>
        "Answer from the .NET docs.\n" + string.Concat(passages.Select((p, i) => $"[{i + 1}] {p}\n")) + $"Q: {question}\nA:";

    [Operator(OperatorKind.Llm, Model = "docs-llm", SafeToRetry = true)]
    public Task<string> Answer(string prompt, CancellationToken ct) =>
        Task.FromResult(prompt.Split('\n').FirstOrDefault(l => l.StartsWith("[1] ", StringComparison.Ordinal))?[4..] ?? "");

    private static string Passage(CorpusChunk chunk)
    {
        string text = chunk.Title + ": " + chunk.Text;
        return text.Length <= PassageCharacters ? text : text[..PassageCharacters];
    }
}
