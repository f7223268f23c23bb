using System.Diagnostics;
using AgentDsl.Ir;
using AgentDsl.Planning;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Shared;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Fuzz.Tests;

/// <summary>
/// The JSON readers under random and mutated input: the hardware catalog, the runtime's and the analyzers' profile
/// readers, and the IR import. Each input gives the reader's own error, naming the file (or the line and column),
/// or a result: never another exception, a stack overflow or a hang. CI runs a fixed seed range;
/// <c>AGENTDSL_FUZZ_INPUTS=N</c> runs more (docs/development.md).
/// </summary>
public class JsonFuzzTests(ITestOutputHelper output)
{
    private const int CiInputs = 3_000;

    private const string Profiles = """
        { "devices": [ { "catalog": "EPYC-9654", "count": 1, "hourlyUsd": 1.5 }, { "catalog": "H200-SXM", "count": 1 } ], "pricing": "Rental" }
        """;

    private const string SpecProfile = """
        // a device of one's own
        { "devices": [ { "spec": { "name": "Npu", "kind": "Accelerator", "supportsFp64": false,
            "fp32Tflops": { "value": 10, "source": "lab" }, "fp16Tflops": { "dense": 100, "source": "lab" }, "fp8Tflops": { "value": null, "note": "none" },
            "memoryGB": { "value": 16, "source": "lab" }, "memoryBandwidthGBs": { "value": 400, "source": "lab" },
            "hostLink": { "bandwidthGBs": 16, "latencyUs": 3, "source": "lab" }, "powerW": { "value": 50, "source": "lab" },
            "launchOverheadUs": { "value": 5, "source": "lab" } }, "count": 2, "hourlyUsd": 0.4 }, { "catalog": "L4" }, ], }
        """;

    [Fact]
    public async Task MutatedAndRandomJson_GivesLocatedErrors_NeverACrashOrAHang()
    {
        var (first, count) = FuzzSettings.Range("AGENTDSL_FUZZ_INPUTS", CiInputs);
        output.WriteLine($"inputs {count} from seed {first} (AGENTDSL_FUZZ_SEED={first} AGENTDSL_FUZZ_INPUTS={count} reproduces this run)");
        string catalogText;
        using (var stream = typeof(JsonFuzzTests).Assembly.GetManifestResourceStream("hardware-catalog.json")!)
        using (var reader = new StreamReader(stream))
        {
            catalogText = reader.ReadToEnd();
        }

        var buildTimeCatalog = ProfileReader.ReadCatalog(catalogText).ByName();
        var graphs = await FlowFuzzer.DefinitionsAsync([.. Enumerable.Range(1, 30)]);
        Assert.True(graphs.Count >= 15, $"only {graphs.Count} sample graphs");
        var samples = new List<string> { catalogText, Profiles, SpecProfile };
        samples.AddRange(graphs.Select(g => g.ToJson()));

        var readers = new (string Name, Func<string, Exception?> Read)[]
        {
            ("catalog", text => Expect<CatalogException>(() => HardwareCatalog.Parse(text, "f.json"), e => e.File == "f.json")),
            ("profile", text => Expect<CatalogException>(() => HardwareProfile.Parse(text, "f.json"), e => e.File.StartsWith("f.json", StringComparison.Ordinal))),
            ("build-time profile", text => Expect<ProfileException>(() => ProfileReader.ReadProfile(text, buildTimeCatalog), e => Located(e, text))),
            ("IR import", text => Expect<GraphDefinitionException>(() => GraphImport.FromJson(text, "f.json"), e => e.Graph == "f.json")),
        };

        var failures = new List<string>();
        var counts = readers.ToDictionary(r => r.Name, _ => (Accepted: 0, Rejected: 0));
        long current = first;
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() =>
        {
            for (long seed = first; seed < first + count && failures.Count < 20; seed++)
            {
                Volatile.Write(ref current, seed);
                var r = new Random(unchecked((int)seed));
                string sample = samples[r.Next(samples.Count)];
                string text = r.Next(20) == 0 ? JsonFuzzer.Random(r, 0) : JsonFuzzer.Mutate(r, sample);
                foreach (var (name, read) in readers)
                {
                    Exception? problem;
                    bool accepted;
                    try
                    {
                        (accepted, problem) = (read(text) is null, null);
                    }
                    catch (Exception ex)
                    {
                        (accepted, problem) = (false, ex);
                    }

                    if (problem is not null)
                    {
                        failures.Add($"seed {seed}, {name}: {problem.GetType().Name}: {problem.Message}\n{problem.StackTrace?.Split('\n').FirstOrDefault()}\ninput ({text.Length} chars): {(text.Length > 400 ? text[..400] + "…" : text)}");
                    }
                    else
                    {
                        counts[name] = accepted ? (counts[name].Accepted + 1, counts[name].Rejected) : (counts[name].Accepted, counts[name].Rejected + 1);
                    }
                }
            }
        });

        var limit = TimeSpan.FromSeconds(60 + (count / 50.0));
        if (await Task.WhenAny(run, Task.Delay(limit)) != run)
        {
            Assert.Fail($"a reader hangs: seed {Volatile.Read(ref current)} did not finish within {limit.TotalSeconds:F0} s of the start");
        }

        await run;
        output.WriteLine($"{count} inputs in {clock.Elapsed.TotalSeconds:F1} s: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value.Accepted} read, {c.Value.Rejected} rejected")));
        Assert.True(failures.Count == 0, $"{failures.Count} input(s) broke a reader:\n\n" + string.Join("\n\n", failures.Take(8)));
    }

    /// <summary>Runs a read: null when it returned, the rejection when it threw <typeparamref name="T"/> with a location; any other exception escapes.</summary>
    private static Exception? Expect<T>(Action read, Func<T, bool> located)
        where T : Exception
    {
        try
        {
            read();
            return null;
        }
        catch (T ex)
        {
            return located(ex) ? ex : throw new InvalidOperationException($"{typeof(T).Name} without a location: {ex.Message}", ex);
        }
    }

    /// <summary>A build-time profile error's offset lies in the text, and its line and column are those of the offset.</summary>
    private static bool Located(ProfileException e, string text)
    {
        if (e.Offset < 0 || e.Offset > text.Length || e.Length < 1)
        {
            return false;
        }

        int line = 1 + text.AsSpan(0, e.Offset).Count('\n');
        int column = e.Offset - (text.LastIndexOf('\n', Math.Max(0, e.Offset - 1)) + 1) + 1;
        return e.Line == line && (e.Offset == 0 || e.Column == column || text[e.Offset - 1] == '\n');
    }
}
