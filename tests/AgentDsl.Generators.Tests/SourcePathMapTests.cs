using System.Collections.Immutable;
using AgentDsl.Generators.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Generators.Tests;

/// <summary>The generated Definition (and so the MLIR written from it) holds source paths as the build's PathMap maps them.</summary>
public class SourcePathMapTests
{
    private const string Source = /* lang=c# */ """
        using AgentDsl;

        namespace App;

        [AgentGraph]
        public partial class Pipeline
        {
            [Flow]
            public string Run(string input) => Upper(input);

            [Operator] public string Upper(string s) => s.ToUpperInvariant();
        }
        """;

    private const string MachinePath = "/home/builder/work/repo/src/Agent.cs";

    [Fact]
    public void WithAPathMap_TheGeneratedSourcePathsAreTheMappedOnes()
    {
        var compilation = Compilations.Create((MachinePath, Source));
        var pathMap = ImmutableArray.Create(new KeyValuePair<string, string>("/home/builder/work/repo/", "/_/"));
        compilation = compilation.WithOptions(compilation.Options.WithSourceReferenceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, null, pathMap)));

        string text = GeneratorHarness.Run(compilation).Run.GeneratedSources.Single().SourceText.ToString();

        Assert.Contains("SourceSpan(\"/_/src/Agent.cs\", 9,", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/home/builder", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAPathMap_TheGeneratedSourcePathsAreTheTreesPaths()
    {
        var compilation = Compilations.Create((MachinePath, Source));

        string text = GeneratorHarness.Run(compilation).Run.GeneratedSources.Single().SourceText.ToString();

        Assert.Contains("SourceSpan(\"" + MachinePath + "\", 9,", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGeneratedMlir_IsTheRuntimeExportOfTheGeneratedDefinition()
    {
        string text = GeneratorHarness.Run(Source).Run.GeneratedSources.Single().SourceText.ToString();

        Assert.Contains("public static string Mlir => __AgentDsl_Mlir ??= global::AgentDsl.Ir.GraphExport.ToMlir(__AgentDsl_Definition);", text, StringComparison.Ordinal);
        Assert.DoesNotContain("builtin.module", text, StringComparison.Ordinal);
    }
}
