using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AgentDsl.Generators.Tests.Helpers;

/// <summary>
/// Checked-in baselines of generated source: tests/AgentDsl.Generators.Tests/Baselines/&lt;Test&gt;/&lt;HintName&gt;.txt.
/// <c>AGENTDSL_UPDATE_BASELINES=1 dotnet test</c> rewrites them (and deletes stale ones); review with <c>git diff</c>.
/// </summary>
internal static class Baseline
{
    private static readonly bool Update = Environment.GetEnvironmentVariable("AGENTDSL_UPDATE_BASELINES") == "1";

    public static void Verify(GeneratorRunResult run, [CallerMemberName] string test = "", [CallerFilePath] string caller = "") =>
        Verify(run.GeneratedSources.ToDictionary(s => s.HintName + ".txt", s => s.SourceText.ToString()), test, caller);

    /// <summary>
    /// The generated sources, and each generated graph's MLIR as the compiled graph gives it (<c>&lt;Type&gt;.mlir.txt</c>):
    /// the MLIR is written at run time from the generated Definition, so the output compilation is loaded to read it.
    /// </summary>
    public static void Verify(GeneratorHarness.Result result, [CallerMemberName] string test = "", [CallerFilePath] string caller = "")
    {
        var files = result.Run.GeneratedSources.ToDictionary(s => s.HintName + ".txt", s => s.SourceText.ToString());
        foreach (var (type, mlir) in GraphMlir(result.Output))
        {
            files.Add(type + ".mlir.txt", mlir);
        }

        Verify(files, test, caller);
    }

    public static void Verify(IReadOnlyDictionary<string, string> files, string test, string caller)
    {
        string dir = Path.Combine(Path.GetDirectoryName(caller)!, "Baselines", test);
        var actual = files.ToDictionary(f => f.Key, f => Normalize(f.Value));
        if (Update)
        {
            Directory.CreateDirectory(dir);
            foreach (var stale in Directory.GetFiles(dir, "*.txt").Where(f => !actual.ContainsKey(Path.GetFileName(f))))
            {
                File.Delete(stale);
            }

            foreach (var (name, text) in actual)
            {
                File.WriteAllText(Path.Combine(dir, name), text);
            }

            return;
        }

        Assert.True(Directory.Exists(dir), $"No baselines at {dir}; run the tests with AGENTDSL_UPDATE_BASELINES=1 and commit them.");
        var expected = Directory.GetFiles(dir, "*.txt").ToDictionary(f => Path.GetFileName(f), f => Normalize(File.ReadAllText(f)));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in actual)
        {
            AssertSameLines(expected[name], text, Path.Combine(dir, name));
        }
    }

    /// <summary>The Mlir property of every graph class in <paramref name="compilation"/>, compiled and loaded in a collectible context.</summary>
    private static List<(string Type, string Mlir)> GraphMlir(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emit = compilation.Emit(image);
        Assert.True(emit.Success, "The output compilation does not emit:\n" + string.Join("\n", emit.Diagnostics));
        image.Position = 0;
        var context = new AssemblyLoadContext("baseline", isCollectible: true);
        try
        {
            return context.LoadFromStream(image).GetTypes()
                .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAgentGraph<>)))
                .Select(t => (t.FullName!.Replace('+', '.'), (string)t.GetProperty("Mlir", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!))
                .OrderBy(g => g.Item1, StringComparer.Ordinal)
                .ToList();
        }
        finally
        {
            context.Unload();
        }
    }

    private static void AssertSameLines(string expected, string actual, string file)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? el = i < e.Length ? e[i] : null;
            string? al = i < a.Length ? a[i] : null;
            if (el != al)
            {
                Assert.Fail($"{file}: first difference at line {i + 1}.\n  expected: {el ?? "<end of file>"}\n  actual:   {al ?? "<end of file>"}\n(AGENTDSL_UPDATE_BASELINES=1 rewrites baselines.)");
            }
        }
    }

    private static string Normalize(string text) =>
        text.Replace("\r\n", "\n").Replace(FlowGraphGenerator.Emitter.Version, "{VERSION}");
}
