using System.Collections.Immutable;
using System.Linq;
using AgentDsl.Generators;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentDsl.Analyzers
{
    /// <summary>
    /// Graph findings beyond the lowering errors (ADSL0005 result never used, ADSL0006 operator not reachable),
    /// from the generator's own lowering of each flow (made once per compilation, shared with the placement checks: <see cref="GraphLowerings"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FlowAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.UnusedResult,
            DiagnosticDescriptors.UnreachableOperator);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var graphAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.AgentGraphAttribute);
                if (graphAttribute is null)
                {
                    return;
                }

                start.RegisterSymbolAction(c =>
                {
                    var type = (INamedTypeSymbol)c.Symbol;
                    var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, graphAttribute));
                    if (attribute is null)
                    {
                        return;
                    }

                    var result = GraphLowerings.For(c.Compilation).Lower(type, attribute, c.CancellationToken);
                    foreach (var finding in result.Findings)
                    {
                        c.ReportDiagnostic(finding.ToDiagnostic(c.Compilation));
                    }
                }, SymbolKind.NamedType);
            });
        }
    }
}
