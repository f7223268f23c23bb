using AgentDsl.Generators.Tests.Helpers;
using Xunit;

namespace AgentDsl.Generators.Tests;

/// <summary>Generated source for a set of inputs, compared exactly with checked-in baselines (and cached on re-run).</summary>
public class FlowGraphBaselineTests
{
    [Fact]
    public void StraightLineFlow()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using AgentDsl;

            namespace App;

            [AgentGraph(LatencySlaMs = 120, Percentile = 0.95)]
            public partial class Pipeline
            {
                [Flow]
                public string Run(string input)
                {
                    var trimmed = Trim(input);
                    var upper = Upper(trimmed);
                    return Exclaim(upper);
                }

                [Operator] public string Trim(string s) => s.Trim();
                [Operator(OperatorKind.Compute, Flops = 10)] public string Upper(string s) => s.ToUpperInvariant();
                [Operator] public string Exclaim(string s) => s + "!";
            }
            """);
        Baseline.Verify(result);
    }

    [Fact]
    public void ConditionalFlowWithIfElseEarlyReturnAndTernary()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph(LatencySlaMs = 500)]
            public partial class Router
            {
                [Flow]
                public async Task<string> Handle(string request, CancellationToken ct)
                {
                    var intent = Classify(request);
                    if (!await IsSafe(request, ct))
                    {
                        Audit(request);
                        return Refuse(request);
                    }

                    if (NeedsTool(intent))
                    {
                        var data = await CallTool(intent, ct);
                        return await Answer(request, data, ct);
                    }
                    else
                    {
                        Audit(intent);
                    }

                    return IsShort(request) ? Echo(request) : await Answer(request, intent, ct);
                }

                [Operator] public string Classify(string s) => s;
                [Operator(OperatorKind.Model)] public Task<bool> IsSafe(string s, CancellationToken ct) => Task.FromResult(true);
                [Operator] public bool NeedsTool(string intent) => intent.Length > 3;
                [Operator] public bool IsShort(string s) => s.Length < 5;
                [Operator(OperatorKind.Tool)] public Task<string> CallTool(string intent, CancellationToken ct) => Task.FromResult(intent);
                [Operator(OperatorKind.Llm)] public Task<string> Answer(string q, string context, CancellationToken ct) => Task.FromResult(q + context);
                [Operator] public string Refuse(string s) => "no";
                [Operator] public string Echo(string s) => s;
                [Operator] public void Audit(string s) { }
            }
            """);
        Baseline.Verify(result);
    }

    [Fact]
    public void FanOutAndFanIn()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph]
            public partial class Mapper
            {
                [Flow]
                public async Task<string> Run(string text, IReadOnlyList<string> extra, CancellationToken ct)
                {
                    var chunks = Split(text);
                    var embedded = await Task.WhenAll(chunks.Select(c => Embed(c, 8, ct)));
                    var scores = extra.Select(e => Score(e)).ToArray();
                    return Merge(embedded, scores);
                }

                [Operator] public List<string> Split(string text) => text.Split(' ').ToList();
                [Operator(OperatorKind.Model, Flops = 1e6)] public Task<float[]> Embed(string chunk, int dims, CancellationToken ct) => Task.FromResult(new float[dims]);
                [Operator] public static double Score(string s) => s.Length;
                [Operator] public string Merge(float[][] vectors, double[] scores) => vectors.Length + ":" + scores.Sum();
            }
            """);
        Baseline.Verify(result);
    }

    [Fact]
    public void NestedGraphCall()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph]
            public partial class Summarizer
            {
                [Flow] public Task<string> Summarize(string text, int words, CancellationToken ct) => Shorten(text, words, ct);
                [Operator(OperatorKind.Llm)] public Task<string> Shorten(string text, int words, CancellationToken ct) => Task.FromResult(text);
            }

            [AgentGraph(LatencySlaMs = 900)]
            public partial class Researcher(Summarizer summarizer)
            {
                private Summarizer Summaries { get; } = summarizer;

                [Flow]
                public async Task<string> Run(string q, CancellationToken ct)
                {
                    var notes = Search(q);
                    var summary = await Summaries.Summarize(notes, 40, ct);
                    return Cite(summary, q);
                }

                [Operator(OperatorKind.Tool)] public string Search(string q) => q;
                [Operator] public string Cite(string s, string q) => s + q;
            }
            """);
        Baseline.Verify(result);
    }

    [Fact]
    public void BoundedLoopsAndMerges()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph]
            public partial class Reviser
            {
                [Flow(MaxIterations = 2)]
                public async Task<string> Run(string task, CancellationToken ct)
                {
                    var draft = await Draft(task, ct);
                    while (!Good(draft))
                    {
                        draft = await Revise(draft, ct);
                    }

                    for (int i = 0; i < 2; i++)
                    {
                        if (Good(draft)) { break; }
                        draft = Pad(draft, i);
                    }

                    return draft;
                }

                [Operator(OperatorKind.Llm)] public Task<string> Draft(string t, CancellationToken ct) => Task.FromResult(t);
                [Operator(TrueProbability = 0.7)] public bool Good(string d) => d.Length > 3;
                [Operator(OperatorKind.Llm)] public Task<string> Revise(string d, CancellationToken ct) => Task.FromResult(d + "!");
                [Operator] public string Pad(string d, int i) => d + i;
            }
            """);
        Baseline.Verify(result);
    }

    [Fact]
    public void ParallelBranchesWithWhenAll()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App.Agents;

            [AgentGraph(LatencySlaMs = 800)]
            public partial class Research
            {
                [Flow]
                public async Task<string> Answer(string question, int depth, CancellationToken ct)
                {
                    var web = SearchWeb(question, ct);
                    var docs = SearchDocs(question, depth, ct);
                    await Task.WhenAll(web, docs);
                    Audit(question);
                    await Notify(question, ct).ConfigureAwait(false);
                    return await Summarize(await web, await docs, 0.5f, "short", ct);
                }

                [Operator(OperatorKind.Tool, SafeToRetry = true)]
                public Task<string[]> SearchWeb(string q, CancellationToken ct) => Task.FromResult(new[] { q });

                [Operator(OperatorKind.Memory, BytesMoved = 1e6, AllowedDevices = DeviceKinds.Cpu)]
                public Task<string[]> SearchDocs(string q, int top, CancellationToken ct = default) => Task.FromResult(new[] { q });

                [Operator] public void Audit(string q) { }

                [Operator(OperatorKind.Tool)] public ValueTask Notify(string q, CancellationToken ct) => default;

                [Operator(OperatorKind.Llm, Model = "llama-3-8b", ModelParameters = 8.03e9, Layers = 32, HiddenSize = 4096, Heads = 32, KvHeads = 8,
                          Precision = Precision.Fp16, PromptTokens = 512, OutputTokens = 256, PreferredDevices = DeviceKinds.Gpu | DeviceKinds.Remote, Batchable = true)]
                public Task<string> Summarize(string[] web, string[] docs, float temperature, string style, CancellationToken ct) =>
                    Task.FromResult(string.Join(" ", web) + string.Join(" ", docs));
            }
            """);
        Baseline.Verify(result);
    }

    [Fact]
    public void NestedRepeatedStaticAndKeywordNames()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using AgentDsl;

            public static partial class Outer
            {
                [AgentGraph(Name = "nested-graph")]
                internal partial class Inner
                {
                    [Flow]
                    public int Run(int @event, long scale) => Combine(Double(Double(@event)), Double(@event), scale, null);

                    [Operator] public static int Double(int @event) => @event * 2;
                    [Operator(Name = "combine")] public int Combine(int a, int b, long @checked, string? label) => a + b + (int)@checked;
                }
            }
            """);
        Baseline.Verify(result);
    }

    [Fact]
    public void BatchFormsFromListOverloads()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph]
            public partial class Indexer
            {
                [Flow]
                public async Task<int> Run(string text, CancellationToken ct)
                {
                    var vector = Embed(text);
                    var tokens = await Tokenize(text, ct);
                    var score = Score(tokens);
                    var label = Label(text);
                    return Combine(vector, score, label, Plain(text));
                }

                [Operator(OperatorKind.Model, Batchable = true)] public float[] Embed(string text) => new float[] { text.Length };
                public IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts) => texts.Select(Embed).ToList();

                [Operator(Batchable = true)] public Task<int[]> Tokenize(string text, CancellationToken ct) => Task.FromResult(new[] { text.Length });
                public Task<int[][]> Tokenize(IReadOnlyList<string> texts, CancellationToken ct) => Task.FromResult(texts.Select(t => new[] { t.Length }).ToArray());

                [Operator(Batchable = true)] public static int Score(int[] tokens) => tokens.Length;
                public static ValueTask<IReadOnlyList<int>> Score(IReadOnlyList<int[]> batch) => new(batch.Select(Score).ToList());

                // Not batch forms: the list's element is not the operator's input; the operator is not batchable.
                [Operator(Batchable = true)] public string Label(string text) => text;
                public IReadOnlyList<string> Label(IReadOnlyList<int> ids) => ids.Select(i => i.ToString()).ToList();

                [Operator] public int Plain(string text) => text.Length;
                public int[] Plain(IReadOnlyList<string> texts) => texts.Select(Plain).ToArray();

                [Operator] public int Combine(float[] v, int s, string l, int p) => (int)v[0] + s + l.Length + p;
            }
            """);
        string source = Assert.Single(result.Run.GeneratedSources).SourceText.ToString();
        Assert.Contains("OperatorBatchForm<global::App.Indexer, string, float[]>(\"Embed\"", source, StringComparison.Ordinal);
        Assert.Contains("OperatorBatchForm<global::App.Indexer, string, int[]>(\"Tokenize\"", source, StringComparison.Ordinal);
        Assert.Contains("OperatorBatchForm<global::App.Indexer, int[], int>(\"Score\"", source, StringComparison.Ordinal);
        Assert.DoesNotContain("(\"Label\"", source, StringComparison.Ordinal);
        Assert.DoesNotContain("(\"Plain\"", source, StringComparison.Ordinal);
        Baseline.Verify(result);
    }

    [Fact]
    public void RecordClassGraph()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using AgentDsl;

            namespace App;

            [AgentGraph]
            public partial record Settings(string Prefix)
            {
                [Flow] public string Run(string s) => Apply(s);
                [Operator] public string Apply(string s) => Prefix + s;
            }
            """);
        Assert.Contains("partial record Settings", Assert.Single(result.Run.GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
        Baseline.Verify(result);
    }

    [Fact]
    public void PrivateGraphHasNoRunnerExtension()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using AgentDsl;

            namespace App;

            public partial class Host
            {
                [AgentGraph]
                private partial class Hidden
                {
                    [Flow] public void Run(string s) => Log(s);
                    [Operator] public void Log(string s) { }
                }
            }
            """);
        string source = Assert.Single(result.Run.GeneratedSources).SourceText.ToString();
        Assert.DoesNotContain("RunnerExtensions", source, StringComparison.Ordinal);
        Baseline.Verify(result);
    }

    [Fact]
    public void TupleDeconstruction()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph]
            public partial class Splitter
            {
                [Flow]
                public async Task<string> Run(string text, CancellationToken ct)
                {
                    var (head, tail) = Split(text);
                    var (count, _) = await Count(tail, ct);
                    return Join(head, count);
                }

                [Operator] public (string Head, string Tail) Split(string s) => (s, s);
                [Operator] public Task<(int, bool)> Count(string s, CancellationToken ct) => Task.FromResult((s.Length, true));
                [Operator] public string Join(string head, int count) => head + count;
            }
            """);
        Baseline.Verify(result);
    }
}
