using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentDsl.Testing;

/// <summary>Hermetic compilations: .NET 10 reference assemblies plus AgentDsl.dll, no download.</summary>
public static class Compilations
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static IReadOnlyList<MetadataReference> References { get; } =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(AgentGraphAttribute).Assembly.Location),
    ];

    public static CSharpCompilation Create(params (string Path, string Source)[] files) =>
        CSharpCompilation.Create(
            "TestAssembly",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Source, ParseOptions, path: f.Path)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpCompilation Create(string source) => Create(("Agent.cs", source));
}
