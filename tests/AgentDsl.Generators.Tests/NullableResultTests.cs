using AgentDsl.Generators.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AgentDsl.Generators.Tests;

/// <summary>Operators with nullable results: the generated code must compile without nullability warnings (projects treat them as errors).</summary>
public class NullableResultTests
{
    [Fact]
    public void Operators_returning_nullable_references_generate_code_without_nullability_warnings()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph(LatencySlaMs = 100)]
            public partial class Lookup
            {
                [Flow]
                public async Task<string> Run(string key, CancellationToken ct)
                {
                    string? found = await Find(key, ct);
                    string? cached = Cached(key);
                    var again = await FindAgain(key, ct);
                    return Pick(found, cached, again);
                }

                [Operator] public Task<string?> Find(string key, CancellationToken ct) => Task.FromResult<string?>(key.Length > 2 ? key : null);
                [Operator] public string? Cached(string key) => null;
                [Operator] public ValueTask<string?> FindAgain(string key, CancellationToken ct) => new((string?)null);
                [Operator] public string Pick(string? a, string? b, string? c) => a ?? b ?? c ?? "none";
            }
            """);

        var generatedTrees = result.Run.GeneratedSources.Select(s => s.SyntaxTree).ToHashSet();
        var warnings = result.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
            .Select(d => d.ToString())
            .ToList();
        Assert.Empty(warnings);
    }
}
