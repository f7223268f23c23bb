using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using AgentDsl.LlamaCpp;
using LLama;
using LLama.Common;
using LLama.Native;
using Xunit;

namespace AgentDsl.LlamaCpp.Tests;

/// <summary>
/// Two Tiny seeded models of the same shape (seeds 1 and 2) in a temporary directory, loaded once per
/// test class. Contexts use one thread so that logits are bitwise reproducible.
/// </summary>
public sealed class LlamaFixture : IDisposable
{
    static readonly ConcurrentQueue<string> NativeLog = new();

    static LlamaFixture()
    {
        // Must precede any other native call; keeps llama.cpp's log out of the test output but available.
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level is LLamaLogLevel.Error or LLamaLogLevel.Warning) NativeLog.Enqueue($"{level}: {message.TrimEnd()}");
        });
    }

    public const int ContextSize = 256;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "agentdsl-llama-" + Guid.NewGuid().ToString("N"));
    public string PathA { get; }
    public string PathB { get; }
    public ModelIdentity IdentityA { get; }
    public ModelIdentity IdentityB { get; }
    public LLamaWeights WeightsA { get; }
    public LLamaWeights WeightsB { get; }

    public LlamaFixture()
    {
        System.IO.Directory.CreateDirectory(Directory);
        PathA = Path.Combine(Directory, "tiny-seed1.gguf");
        PathB = Path.Combine(Directory, "tiny-seed2.gguf");
        SeededLlamaModel.Write(PathA, LlamaShape.Tiny, seed: 1);
        SeededLlamaModel.Write(PathB, LlamaShape.Tiny, seed: 2);
        IdentityA = ModelIdentity.FromFile(PathA);
        IdentityB = ModelIdentity.FromFile(PathB);
        WeightsA = LLamaWeights.LoadFromFile(Params(PathA));
        WeightsB = LLamaWeights.LoadFromFile(Params(PathB));
    }

    public static ModelParams Params(string path, bool? flashAttention = null)
    {
        var p = new ModelParams(path)
        {
            ContextSize = ContextSize,
            BatchSize = ContextSize,
            UBatchSize = ContextSize,
            GpuLayerCount = 0,
            Threads = 1,
            BatchThreads = 1,
            SeqMax = 1,
        };
        if (flashAttention is not null) p.FlashAttention = flashAttention;
        return p;
    }

    public LLamaContext Context(LLamaWeights weights, bool? flashAttention = null) =>
        weights.CreateContext(Params(weights == WeightsA ? PathA : PathB, flashAttention));

    public static string RecentNativeErrors() => string.Join("\n", NativeLog.TakeLast(10));

    /// <summary>Decodes the prompt into sequence 0 and returns the greedy token from the last logits (the engine's own step).</summary>
    public static int Prefill(LLamaContext context, IReadOnlyList<LLamaToken> prompt) =>
        LlamaSteps.Prefill(context, LLamaSeqId.Zero, prompt, new LLamaBatch());

    /// <summary>
    /// Greedy decoding with the engine's step: feeds <paramref name="first"/> at <paramref name="position"/> and each
    /// argmax after it; returns the tokens fed and a copy of every step's logits (each checked finite).
    /// </summary>
    public static (List<int> Tokens, List<float[]> Logits) Greedy(LLamaContext context, int first, int position, int steps)
    {
        var tokens = new List<int>();
        var logits = new List<float[]>();
        int token = first;
        var batch = new LLamaBatch();
        for (int s = 0; s < steps; s++)
        {
            tokens.Add(token);
            float[] row = new float[SeededLlamaModel.VocabularySize];
            token = LlamaSteps.Step(context, LLamaSeqId.Zero, token, position + s, batch, row);
            Assert.Equal(Argmax(row), token);
            logits.Add(row);
        }
        return (tokens, logits);
    }

    public static int Argmax(ReadOnlySpan<float> logits)
    {
        Assert.Equal(SeededLlamaModel.VocabularySize, logits.Length);
        int best = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            Assert.True(float.IsFinite(logits[i]), $"logit {i} is {logits[i]}");
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }

    public static bool BitwiseEqual(float[] a, float[] b) =>
        MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));

    public void Dispose()
    {
        WeightsA.Dispose();
        WeightsB.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
