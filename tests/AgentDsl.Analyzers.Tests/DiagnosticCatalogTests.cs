using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AgentDsl.Analyzers.Tests;

/// <summary>Every descriptor: unique ID inside its block, a line in docs/diagnostics.md, a row in AnalyzerReleases, a help link to its anchor.</summary>
public class DiagnosticCatalogTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    public static IReadOnlyList<DiagnosticDescriptor> Descriptors { get; } =
        [.. typeof(GraphDeclarationAnalyzer).Assembly.GetType("AgentDsl.Generators.Diagnostics.DiagnosticDescriptors", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)];

    [Fact]
    public void Ids_AreUnique_AndInTheirBlock()
    {
        Assert.NotEmpty(Descriptors);
        Assert.Equal(Descriptors.Count, Descriptors.Select(d => d.Id).Distinct().Count());
        foreach (var d in Descriptors)
        {
            Assert.Matches("^ADSL[0-9]{4}$", d.Id);
            int number = int.Parse(d.Id[4..], System.Globalization.CultureInfo.InvariantCulture);
            string expectedCategory = number switch
            {
                < 100 => "AgentDsl.Flow",
                < 200 => "AgentDsl.Kernel",
                < 300 => "AgentDsl.Placement",
                < 400 => "AgentDsl.Usage",
                _ => "AgentDsl.Runtime",
            };
            Assert.Equal(expectedCategory, d.Category);
            Assert.EndsWith("#" + d.Id.ToLowerInvariant(), d.HelpLinkUri, StringComparison.Ordinal);
            Assert.True(Uri.TryCreate(d.HelpLinkUri, UriKind.Absolute, out var link) && link.Scheme == Uri.UriSchemeHttps, $"{d.Id}: the help link '{d.HelpLinkUri}' is not an absolute https address an IDE can open.");
            Assert.Equal(RepositoryUrl + "/blob/main/docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString()), $"{d.Id} has no description.");
        }
    }

    /// <summary>RepositoryUrl from Directory.Build.props: the help links point into the repository the packages name.</summary>
    private static string RepositoryUrl =>
        Regex.Match(File.ReadAllText(Path.Combine(RepoRoot, "Directory.Build.props")), "<RepositoryUrl>([^<]+)</RepositoryUrl>").Groups[1].Value;

    [Fact]
    public void EveryId_IsDocumented()
    {
        string docs = File.ReadAllText(Path.Combine(RepoRoot, "docs", "diagnostics.md"));
        foreach (var d in Descriptors)
        {
            Assert.Matches(new Regex("^#+ " + d.Id + "\\b", RegexOptions.Multiline), docs);
        }
    }

    [Fact]
    public void EveryId_IsInTheReleaseFile_WithItsSeverity()
    {
        string releases = File.ReadAllText(Path.Combine(RepoRoot, "generators", "AgentDsl.Generators.Shared", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(RepoRoot, "generators", "AgentDsl.Generators.Shared", "AnalyzerReleases.Shipped.md"));
        foreach (var d in Descriptors)
        {
            Assert.Matches(new Regex("^" + d.Id + " \\| " + Regex.Escape(d.Category) + " \\| " + d.DefaultSeverity + " \\|", RegexOptions.Multiline), releases);
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentDsl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgentDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
