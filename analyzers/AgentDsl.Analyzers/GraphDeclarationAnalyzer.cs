using System.Collections.Immutable;
using System.Linq;
using AgentDsl.Generators;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentDsl.Analyzers
{
    /// <summary>
    /// Checks how [AgentGraph], [Flow] and [Operator] are used (ADSL0300–0303). The generator skips a
    /// class these rules reject, so each rejection needs a diagnostic here.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GraphDeclarationAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.GraphClassNotPartial,
            DiagnosticDescriptors.FlowMethodCount,
            DiagnosticDescriptors.MemberOutsideGraph,
            DiagnosticDescriptors.GenericGraphClass,
            DiagnosticDescriptors.InvalidProbability,
            DiagnosticDescriptors.NotABatchForm,
            DiagnosticDescriptors.NoBatchForm);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var graphAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.AgentGraphAttribute);
                var flowAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.FlowAttribute);
                var operatorAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.OperatorAttribute);
                if (graphAttribute is null || flowAttribute is null || operatorAttribute is null)
                {
                    return; // AgentDsl is not referenced.
                }

                start.RegisterSymbolAction(c => AnalyzeType(c, graphAttribute, flowAttribute), SymbolKind.NamedType);
                start.RegisterSymbolAction(c => AnalyzeMethod(c, graphAttribute, flowAttribute, operatorAttribute), SymbolKind.Method);
            });
        }

        private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol graphAttribute, INamedTypeSymbol flowAttribute)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            var attr = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, graphAttribute));
            if (attr is null)
            {
                return;
            }

            var location = type.Locations.FirstOrDefault();
            for (var t = type; t != null; t = t.ContainingType)
            {
                if (t.IsGenericType)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GenericGraphClass, location, type.Name));
                    break;
                }
            }

            for (var t = type; t != null; t = t.ContainingType)
            {
                bool partial = t.DeclaringSyntaxReferences.All(r =>
                    r.GetSyntax(context.CancellationToken) is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!partial)
                {
                    string suffix = SymbolEqualityComparer.Default.Equals(t, type) ? string.Empty : ", and so must its containing type '" + t.Name + "'";
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GraphClassNotPartial, location, type.Name, suffix));
                    break;
                }
            }

            int flows = type.GetMembers().OfType<IMethodSymbol>()
                .Count(m => m.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, flowAttribute)));
            if (flows != 1)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.FlowMethodCount, location, type.Name, flows));
            }
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, INamedTypeSymbol graphAttribute, INamedTypeSymbol flowAttribute, INamedTypeSymbol operatorAttribute)
        {
            var method = (IMethodSymbol)context.Symbol;
            foreach (var attr in method.GetAttributes())
            {
                if (!SymbolEqualityComparer.Default.Equals(attr.AttributeClass, operatorAttribute))
                {
                    continue;
                }

                foreach (var named in attr.NamedArguments)
                {
                    if (named.Key == "TrueProbability" && named.Value.Value is double p && (double.IsNaN(p) || p < 0 || p > 1))
                    {
                        var location = attr.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? method.Locations.FirstOrDefault();
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidProbability, location, method.Name, p.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }
            }

            var containing = method.ContainingType;
            if (containing is null)
            {
                return;
            }

            if (containing.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, graphAttribute)))
            {
                AnalyzeBatchForm(context, method, containing, operatorAttribute);
                return;
            }

            foreach (var attr in method.GetAttributes())
            {
                string? name = SymbolEqualityComparer.Default.Equals(attr.AttributeClass, flowAttribute) ? "Flow"
                    : SymbolEqualityComparer.Default.Equals(attr.AttributeClass, operatorAttribute) ? "Operator"
                    : null;
                if (name != null)
                {
                    var location = attr.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? method.Locations.FirstOrDefault();
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MemberOutsideGraph, location, name, method.Name, containing.Name));
                }
            }
        }

        /// <summary>ADSL0305 / ADSL0306: a batchable operator's list overloads that are not batch forms, or none at all.</summary>
        private static void AnalyzeBatchForm(SymbolAnalysisContext context, IMethodSymbol method, INamedTypeSymbol containing, INamedTypeSymbol operatorAttribute)
        {
            var attr = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, operatorAttribute));
            if (attr is null || !attr.NamedArguments.Any(n => n.Key == "Batchable" && n.Value.Value is true))
            {
                return;
            }

            var candidates = containing.GetMembers(method.Name).OfType<IMethodSymbol>()
                .Where(c => BatchFormMatcher.LooksLikeBatchForm(method, c)
                    && !c.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, operatorAttribute)))
                .ToList();
            if (candidates.Any(c => BatchFormMatcher.Mismatch(method, c) is null))
            {
                return;
            }

            foreach (var candidate in candidates)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotABatchForm, candidate.Locations.FirstOrDefault(), candidate.Name, method.Name, BatchFormMatcher.Mismatch(method, candidate)));
            }

            if (candidates.Count == 0)
            {
                var input = method.Parameters.FirstOrDefault(p => !FlowLowerer.IsCancellationToken(p.Type));
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoBatchForm, method.Locations.FirstOrDefault(), method.Name, input?.Type.ToDisplayString() ?? "T"));
            }
        }
    }
}
