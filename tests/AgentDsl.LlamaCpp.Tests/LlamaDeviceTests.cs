using AgentDsl.Execution;
using AgentDsl.Hosting;
using AgentDsl.LlamaCpp;
using AgentDsl.Planning.Cost;
using LLama;
using LLama.Native;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.LlamaCpp.Tests;

/// <summary>The engine as runtime devices: hosted, serving an LLM node, streaming, split across contexts.</summary>
public sealed class LlamaDeviceTests(LlamaFixture fixture, ITestOutputHelper output) : IClassFixture<LlamaFixture>
{
    const string Question = "where does the KV cache go?";

    async Task<IHost> StartAsync(Action<LlamaCppOptions> configure, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.UseAgentDsl(a => a.AddGraph<LlamaAskGraph>().AddLlamaCpp(o =>
        {
            o.ModelPath = fixture.PathA; // the Tiny seeded model (seed 1), written by the fixture
            o.ContextSize = LlamaFixture.ContextSize;
            o.MaxTokens = 8;
            configure(o);
        }));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    static void OneThread(LlamaCppOptions o, params string[] names)
    {
        foreach (var n in names) o.Contexts[n] = new LlamaContextOptions { Threads = 1 };
    }

    /// <summary>The oracle: the same prompt prefilled and greedily decoded on a fresh one-thread context, detokenized.</summary>
    string Direct(string prompt, int maxTokens)
    {
        using var context = fixture.Context(fixture.WeightsA);
        LLamaToken[] tokens = context.Tokenize(prompt, addBos: true, special: false);
        int first = LlamaFixture.Prefill(context, tokens);
        var (generated, _) = LlamaFixture.Greedy(context, first, tokens.Length, maxTokens);
        var decoder = new StreamingTokenDecoder(System.Text.Encoding.UTF8, fixture.WeightsA);
        foreach (int t in generated.TakeWhile(t => t != SeededLlamaModel.EndToken)) decoder.Add(t);
        return decoder.Read();
    }

    static string PromptOf(string question) => new LlamaAskGraph().BuildPrompt(question);

    [Fact]
    public async Task The_engine_answers_the_llm_node_streams_its_tokens_and_equals_a_direct_call()
    {
        using var host = await StartAsync(o => OneThread(o, "main"));
        var streamed = new List<NodeText>();
        var result = await host.Services.GetRequiredService<IAgentRunner<LlamaAskGraph>>().RunUntypedAsync([Question],
            new AgentRequestOptions { OnText = t => { lock (streamed) streamed.Add(t); } });

        string answer = (string)result.OutputValue!;
        output.WriteLine($"answer (random weights, noise): {System.Text.Json.JsonSerializer.Serialize(answer)}");
        Assert.DoesNotContain("body:", answer, StringComparison.Ordinal); // the engine ran, not the stand-in body
        Assert.Equal(Direct(PromptOf(Question), 8), answer);
        Assert.Equal(answer, string.Concat(streamed.Select(t => t.Text)));
        Assert.All(streamed, t => Assert.Equal(("Answer", "llama:main"), (t.Node, t.Device)));

        var node = result.Nodes.Single(n => n.Name == "Answer");
        Assert.Equal("llama:main", node.Device);
        Assert.Equal(["prefill", "decode"], node.Phases.Select(p => p.Phase));
        Assert.All(node.Phases, p => Assert.Equal("llama:main", p.Device));
        int promptTokens = fixture.WeightsA.Tokenize(PromptOf(Question), add_bos: true, special: false, System.Text.Encoding.UTF8).Length;
        Assert.Equal(promptTokens, node.Phases[0].Tokens);
        Assert.InRange(node.Phases[1].Tokens, 1, 8);
        Assert.All(node.Phases, p => Assert.True(p.Duration > TimeSpan.Zero && p.Predicted > TimeSpan.Zero));
    }

    [Fact]
    public async Task A_split_call_prefills_on_another_context_moves_the_formulas_bytes_and_answers_the_same()
    {
        string unsplit;
        using (var host = await StartAsync(o => { OneThread(o, "a", "b"); o.Split = LlamaSplitPolicy.Never; }))
        {
            var r = await host.Services.GetRequiredService<IAgentRunner<LlamaAskGraph>>().RunUntypedAsync([Question], null);
            unsplit = (string)r.OutputValue!;
            Assert.Single(r.Nodes.Single(n => n.Name == "Answer").Phases, p => p.Phase == "prefill");
            Assert.DoesNotContain(r.Nodes.Single(n => n.Name == "Answer").Phases, p => p.Phase == "kv-transfer");
        }

        using (var host = await StartAsync(o =>
        {
            // Prices of $1 and $3 a second: the request pays the node's time at its decode context's price plus, when
            // the prefill ran on the dearer context, the difference for the prefill's time.
            o.Contexts["a"] = new LlamaContextOptions { Threads = 1, HourlyCostUsd = 3600 };
            o.Contexts["b"] = new LlamaContextOptions { Threads = 1, HourlyCostUsd = 3 * 3600 };
            o.Split = LlamaSplitPolicy.Always;
        }))
        {
            var engine = host.Services.GetRequiredService<LlamaCppEngine>();
            var r = await host.Services.GetRequiredService<IAgentRunner<LlamaAskGraph>>().RunUntypedAsync([Question], null);
            var node = r.Nodes.Single(n => n.Name == "Answer");
            Assert.Equal(["prefill", "kv-transfer", "decode"], node.Phases.Select(p => p.Phase));
            string prefillOn = node.Phases[0].Device, decodeOn = node.Phases[2].Device;
            Assert.NotEqual(prefillOn, decodeOn);
            Assert.Equal(node.Device, decodeOn);
            Assert.Equal($"{prefillOn}→{decodeOn}", node.Phases[1].Device);

            // Bytes moved: the message header + llama.cpp's state, which is the cost model's KV formula plus its framing.
            int tokens = node.Phases[1].Tokens;
            long state = KvStateMessage.ExpectedStateBytes(engine.Shape, tokens);
            long header = new KvStateMessage(engine.Identity, KvStateMessage.CurrentEngineVersion, tokens, 0, []).HeaderLength;
            Assert.Equal(header + state, node.Phases[1].Bytes);
            double formula = engine.KvBytes(tokens);
            output.WriteLine($"{tokens} tokens: moved {node.Phases[1].Bytes} B, formula {formula} B, framing {node.Phases[1].Bytes - formula} B");
            Assert.InRange((node.Phases[1].Bytes - formula) / formula, 0, 0.25); // Tiny model: framing is a large share; Small97M below 1 %

            double Rate(string device) => device == "llama:a" ? 1 : 3;
            double expected = (node.Duration.TotalSeconds * Rate(decodeOn)) + Math.Max(0, node.Phases[0].Duration.TotalSeconds * (Rate(prefillOn) - Rate(decodeOn)));
            Assert.Equal(expected, r.CostUsd, 3);

            // Prefill in one context and decode in another gives exactly the answer of one context.
            Assert.Equal(unsplit, (string)r.OutputValue!);
        }
    }

    [Fact]
    public async Task The_cost_model_prefills_on_the_faster_context_and_the_measurements_take_over_after_three_runs()
    {
        using var host = await StartAsync(o =>
        {
            o.Contexts["fast"] = new LlamaContextOptions { Threads = 1, Fp16Tflops = 50, MemoryBandwidthGBs = 40 };
            o.Contexts["slow"] = new LlamaContextOptions { Threads = 1, Fp16Tflops = 0.001, MemoryBandwidthGBs = 40 };
        });
        var engine = host.Services.GetRequiredService<LlamaCppEngine>();
        var fast = engine.Contexts.Single(c => c.ContextName == "fast");
        var slow = engine.Contexts.Single(c => c.ContextName == "slow");

        // Prefill is compute-bound: decoded on the slow context, the prompt is prefilled on the fast one and moved.
        var plan = engine.Choose("Answer", slow, promptTokens: 64, outputTokens: 8);
        Assert.Same(fast, plan.PrefillOn);
        Assert.Equal(CostSource.Roofline, plan.Prefill.Source);
        Assert.True(plan.Transfer.Seconds > 0);
        Assert.Same(fast, engine.Choose("Answer", fast, 64, 8).PrefillOn); // decoded on the fast one: no move

        var runner = host.Services.GetRequiredService<IAgentRunner<LlamaAskGraph>>();
        for (int i = 0; i < 4; i++) await runner.RunUntypedAsync([Question], null);
        int tokens = fixture.WeightsA.Tokenize(PromptOf(Question), add_bos: true, special: false, System.Text.Encoding.UTF8).Length;
        var measured = engine.Predict("Answer", "prefill", fast, tokens, 8);
        Assert.Equal(CostSource.Measured, measured.Source);
        Assert.Equal(engine.Calibration.MeasuredSeconds("Answer.prefill", "llama:fast", tokens), measured.Seconds);
        // The runtime's own calibration store is the one the engine records in (the planners read it).
        Assert.Same(host.Services.GetRequiredService<CalibrationHistory>(), engine.Calibration);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_fails_its_node_naming_it()
    {
        using var host = await StartAsync(o => OneThread(o, "main"));
        var runner = host.Services.GetRequiredService<IAgentRunner<LlamaAskGraph>>();
        var error = await Assert.ThrowsAsync<AgentNodeException>(() => runner.RunUntypedAsync([new string('x', 400)], null));
        Assert.Contains("Answer", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentDsl:LlamaCpp:ContextSize", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(1, runner.Statistics.Failed);
    }

    [Fact]
    public async Task A_missing_model_or_a_misspelt_key_fails_the_start_naming_it()
    {
        var missing = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(o => o.ModelPath = "/nonexistent/model.gguf"));
        Assert.Contains("/nonexistent/model.gguf", missing.ToString(), StringComparison.Ordinal);
        Assert.Contains("AgentDsl:LlamaCpp:ModelPath", missing.ToString(), StringComparison.Ordinal);

        var misspelt = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(_ => { },
            new() { ["AgentDsl:LlamaCpp:Contexts:main:Thread"] = "1" }));
        Assert.Contains("AgentDsl:LlamaCpp:Contexts:main:Thread: unknown configuration key 'Thread'", misspelt.Message, StringComparison.Ordinal);

        var bad = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(o => o.MaxTokens = 0));
        Assert.Contains("AgentDsl:LlamaCpp:MaxTokens", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_model_path_the_seeded_model_is_written_once_and_served()
    {
        string cache = Path.Combine(fixture.Directory, "cache-" + Guid.NewGuid().ToString("N"));
        using (var host = await StartAsync(o => { o.ModelPath = null; o.SeededShape = "Tiny"; o.Seed = 7; o.CacheDirectory = cache; OneThread(o, "main"); }))
        {
            var engine = host.Services.GetRequiredService<LlamaCppEngine>();
            Assert.True(engine.IsSeeded);
            Assert.StartsWith(cache, engine.ModelPath, StringComparison.Ordinal);
            Assert.Equal(LlamaShape.Tiny with { ContextLength = engine.Shape.ContextLength }, engine.Shape);
        }

        var written = File.GetLastWriteTimeUtc(Directory.GetFiles(cache, "*.gguf").Single());
        using (var host = await StartAsync(o => { o.ModelPath = null; o.SeededShape = "Tiny"; o.Seed = 7; o.CacheDirectory = cache; OneThread(o, "main"); }))
        {
            Assert.Equal(written, File.GetLastWriteTimeUtc(host.Services.GetRequiredService<LlamaCppEngine>().ModelPath)); // reused, not rewritten
        }
    }
}
