using AgentDsl.LlamaCpp;
using LLama;
using LLama.Native;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.LlamaCpp.Tests;

public sealed class KvTransferTests(LlamaFixture fixture, ITestOutputHelper output) : IClassFixture<LlamaFixture>
{
    const string Prompt = "Retrieval found three passages; the agent summarizes them for the user.";

    (LLamaContext Context, LLamaToken[] Prompt, KvStateMessage Message) PrefillAndExport(
        LLamaWeights weights, ModelIdentity identity, string text = Prompt, bool? flashAttention = null)
    {
        var context = fixture.Context(weights, flashAttention);
        LLamaToken[] prompt = context.Tokenize(text, addBos: true, special: false);
        int first = LlamaFixture.Prefill(context, prompt);
        return (context, prompt, KvStateMessage.Export(context, LLamaSeqId.Zero, identity, prompt.Length, first));
    }

    static KvStateMessage RoundTrip(KvStateMessage message)
    {
        using var stream = new MemoryStream();
        message.Write(stream);
        Assert.Equal(message.HeaderLength + message.State.Length, stream.Length);
        stream.Position = 0;
        return KvStateMessage.Read(stream);
    }

    [Fact]
    public void Decoding_after_the_transfer_gives_the_same_tokens_and_bitwise_the_same_logits()
    {
        var (a, prompt, exported) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA);
        using var _ = a;
        KvStateMessage message = RoundTrip(exported);
        Assert.Equal(exported.State, message.State);
        Assert.Equal((exported.Model, exported.EngineVersion, exported.TokenCount, exported.FirstToken),
                     (message.Model, message.EngineVersion, message.TokenCount, message.FirstToken));

        using var b = fixture.Context(fixture.WeightsA);
        message.Import(b, LLamaSeqId.Zero, fixture.IdentityA);

        const int steps = 8;
        var inA = LlamaFixture.Greedy(a, message.FirstToken, message.TokenCount, steps);
        var inB = LlamaFixture.Greedy(b, message.FirstToken, message.TokenCount, steps);

        output.WriteLine($"{message.TokenCount} prompt tokens, state {message.State.Length} B; greedy tokens in A: {string.Join(' ', inA.Tokens)}; in B: {string.Join(' ', inB.Tokens)}");
        Assert.Equal(inA.Tokens, inB.Tokens);
        for (int s = 0; s < steps; s++)
            Assert.True(LlamaFixture.BitwiseEqual(inA.Logits[s], inB.Logits[s]), $"logits differ at step {s}");
    }

    [Fact]
    public void Without_the_transfer_the_fresh_context_decodes_differently()
    {
        // The control for the test above: a context that did not receive the state does not agree.
        var (a, _, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA);
        using var __ = a;
        using var b = fixture.Context(fixture.WeightsA);

        var inA = LlamaFixture.Greedy(a, message.FirstToken, message.TokenCount, steps: 1);
        var inB = LlamaFixture.Greedy(b, message.FirstToken, 0, steps: 1);

        Assert.False(LlamaFixture.BitwiseEqual(inA.Logits[0], inB.Logits[0]));
    }

    [Fact]
    public void The_state_size_is_the_KV_formula_plus_the_framing()
    {
        var shape = LlamaShape.Tiny;
        foreach (string text in new[] { "Short.", Prompt, Prompt + " " + Prompt })
        {
            var (context, prompt, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA, text);
            using var _ = context;
            long n = prompt.Length;
            long kv = 2L * shape.Layers * shape.KvHeads * shape.HeadDim * n * 2; // F16 keys and values
            long framing = 24 + 24L * shape.Layers + 12 * n;
            output.WriteLine($"{n} tokens: state {message.State.Length} B = KV {kv} + framing {framing}");
            Assert.Equal(kv + framing, message.State.Length);
            Assert.Equal(KvStateMessage.ExpectedStateBytes(shape, (int)n), message.State.Length);
        }
    }

    [Fact]
    public void A_truncated_state_is_refused_with_a_clear_exception()
    {
        var (a, _, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA);
        using var __ = a;
        var truncated = message with { State = message.State[..^1] };
        using var b = fixture.Context(fixture.WeightsA);

        var e = Assert.Throws<KvStateException>(() => truncated.Import(b, LLamaSeqId.Zero, fixture.IdentityA));
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public void A_state_with_a_corrupt_cell_count_is_refused_with_a_clear_exception()
    {
        var (a, _, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA);
        using var __ = a;
        byte[] corrupt = (byte[])message.State.Clone();
        for (int i = 0; i < 8; i++) corrupt[i] = 0xFF;
        using var b = fixture.Context(fixture.WeightsA);

        var e = Assert.Throws<KvStateException>(() => (message with { State = corrupt }).Import(b, LLamaSeqId.Zero, fixture.IdentityA));
        Assert.Contains("refused", e.Message);
        output.WriteLine(LlamaFixture.RecentNativeErrors());
    }

    [Fact]
    public void A_state_from_another_model_of_the_same_shape_is_rejected_by_the_header()
    {
        var (a, _, fromB) = PrefillAndExport(fixture.WeightsB, fixture.IdentityB);
        using var __ = a;
        using var destination = fixture.Context(fixture.WeightsA);

        var e = Assert.Throws<KvStateException>(() => fromB.Import(destination, LLamaSeqId.Zero, fixture.IdentityA));
        Assert.Contains(fixture.IdentityA.ToString(), e.Message);
        Assert.Contains(fixture.IdentityB.ToString(), e.Message);
    }

    [Fact]
    public void The_blob_alone_would_load_into_another_model_of_the_same_shape()
    {
        // Why the header exists: llama.cpp accepts the foreign blob (same sizes, no identity in it).
        var (a, _, fromB) = PrefillAndExport(fixture.WeightsB, fixture.IdentityB);
        using var __ = a;
        using var destination = fixture.Context(fixture.WeightsA);

        (fromB with { Model = fixture.IdentityA }).Import(destination, LLamaSeqId.Zero, fixture.IdentityA);
    }

    [Fact]
    public void Contexts_that_differ_in_flash_attention_refuse_the_state()
    {
        var (a, _, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA, flashAttention: true);
        using var __ = a;
        using var b = fixture.Context(fixture.WeightsA, flashAttention: false);

        var e = Assert.Throws<KvStateException>(() => message.Import(b, LLamaSeqId.Zero, fixture.IdentityA));
        Assert.Contains("flash attention", e.Message);
        output.WriteLine(LlamaFixture.RecentNativeErrors());
    }

    [Fact]
    public void A_state_from_another_engine_version_is_rejected()
    {
        var (a, _, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA);
        using var __ = a;
        using var b = fixture.Context(fixture.WeightsA);

        var e = Assert.Throws<KvStateException>(() => (message with { EngineVersion = "LLamaSharp 0.29.0" }).Import(b, LLamaSeqId.Zero, fixture.IdentityA));
        Assert.Contains("LLamaSharp 0.29.0", e.Message);
        Assert.Contains(KvStateMessage.CurrentEngineVersion, e.Message);
    }

    [Fact]
    public void A_token_count_that_does_not_fit_the_context_is_rejected()
    {
        var (a, _, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA);
        using var __ = a;
        using var b = fixture.Context(fixture.WeightsA);

        var e = Assert.Throws<KvStateException>(() => (message with { TokenCount = LlamaFixture.ContextSize }).Import(b, LLamaSeqId.Zero, fixture.IdentityA));
        Assert.Contains("tokens", e.Message);
    }

    [Fact]
    public void Bytes_that_are_not_a_message_are_rejected_by_Read()
    {
        var (a, _, message) = PrefillAndExport(fixture.WeightsA, fixture.IdentityA);
        using var __ = a;
        using var stream = new MemoryStream();
        message.Write(stream);
        byte[] bytes = stream.ToArray();

        Assert.Throws<InvalidDataException>(() => KvStateMessage.Read(new MemoryStream(bytes[..^10])));
        bytes[0] = (byte)'X';
        Assert.Throws<InvalidDataException>(() => KvStateMessage.Read(new MemoryStream(bytes)));
    }
}
