using AgentDsl.LlamaCpp;
using LLama.Native;
using Xunit;

namespace AgentDsl.LlamaCpp.Tests;

public sealed class LlamaEngineTests(LlamaFixture fixture) : IClassFixture<LlamaFixture>
{
    const string Prompt = "The KV cache moves between devices.\nPrefill here, decode there.";

    [Fact]
    public void The_seeded_model_loads_and_tokenizes_to_bytes()
    {
        Assert.Equal(SeededLlamaModel.VocabularySize, fixture.WeightsA.Vocab.Count);
        using var context = fixture.Context(fixture.WeightsA);
        LLamaToken[] tokens = context.Tokenize(Prompt, addBos: true, special: false);

        Assert.Equal(SeededLlamaModel.BeginToken, (int)tokens[0]);
        Assert.All(tokens[1..], t => Assert.InRange((int)t, 3, SeededLlamaModel.VocabularySize - 1));
        Assert.Contains(3 + '\n', tokens.Select(t => (int)t)); // the line feed is the <0x0A> byte token
    }

    [Fact]
    public void Greedy_decoding_is_deterministic()
    {
        (List<int> Tokens, List<float[]> Logits) Run()
        {
            using var context = fixture.Context(fixture.WeightsA);
            LLamaToken[] prompt = context.Tokenize(Prompt, addBos: true, special: false);
            int first = LlamaFixture.Prefill(context, prompt);
            return LlamaFixture.Greedy(context, first, prompt.Length, steps: 6);
        }

        var a = Run();
        var b = Run();

        Assert.Equal(a.Tokens, b.Tokens);
        Assert.All(a.Logits.Zip(b.Logits), p => Assert.True(LlamaFixture.BitwiseEqual(p.First, p.Second)));
    }
}
