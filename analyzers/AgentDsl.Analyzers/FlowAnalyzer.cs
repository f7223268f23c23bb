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
    /// The flow's lowering errors (ADSL0001 to ADSL0004) and graph findings (ADSL0005 result never used, ADSL0006 operator
    /// not reachable), from the generator's own lowering of each flow (made once per compilation, shared with the placement
    /// checks: <see cref="GraphLowerings"/>).
    /// </summary>
    /// <remarks>
    /// The errors are reported here, not by the generator: the compiler stops after the generators when one reports an
    /// error, so the user would see the ADSL error and never the C# error behind it. Analyzers report alongside the
    /// compiler's own diagnostics.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FlowAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.UnsupportedFlowStatement,
            DiagnosticDescriptors.UnsupportedFlowExpression,
            DiagnosticDescriptors.NotAnOperator,
            DiagnosticDescriptors.UnsupportedFlowSignature,
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
                    foreach (var finding in result.Diagnostics.Concat(result.Findings))
                    {
                        c.ReportDiagnostic(finding.ToDiagnostic(c.Compilation));
                    }
                }, SymbolKind.NamedType);
            });
        }
    }
}
