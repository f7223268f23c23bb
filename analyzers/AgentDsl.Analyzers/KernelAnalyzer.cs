using System.Collections.Immutable;
using System.Linq;
using AgentDsl.Generators;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentDsl.Analyzers
{
    /// <summary>
    /// The kernel errors (ADSL0100–0106), from the same check and translation the generator runs (KernelLowerer). They
    /// are reported here, not by the generator: an error reported by a generator stops the compiler before its own
    /// errors, so one kernel mistake hid every C# error of the project. A kernel construct that already has a compiler
    /// error gets no ADSL error (it would only be a consequence of it).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class KernelAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.InvalidKernelSignature,
            DiagnosticDescriptors.UnsupportedKernelConstruct,
            DiagnosticDescriptors.KernelCallNotAllowed,
            DiagnosticDescriptors.InvalidLocalMemory,
            DiagnosticDescriptors.RecursiveKernelHelper,
            DiagnosticDescriptors.KernelTypeNotPartial,
            DiagnosticDescriptors.UnsupportedKernelType);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var kernelAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.KernelAttribute);
                if (kernelAttribute is null)
                {
                    return;
                }

                start.RegisterSyntaxNodeAction(c =>
                {
                    var syntax = (MethodDeclarationSyntax)c.Node;
                    if (syntax.AttributeLists.Count == 0 || c.SemanticModel.GetDeclaredSymbol(syntax, c.CancellationToken) is not { } method)
                    {
                        return;
                    }

                    var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, kernelAttribute));
                    if (attribute is null)
                    {
                        return;
                    }

                    var result = KernelLowerer.Lower(method, syntax, attribute, c.SemanticModel.Compilation, c.CancellationToken);
                    if (result.Diagnostics.Count == 0)
                    {
                        return;
                    }

                    foreach (var info in result.Diagnostics)
                    {
                        var diagnostic = info.ToDiagnostic(c.SemanticModel.Compilation); // in the syntax tree, so editors can offer fixes
                        bool consequence = diagnostic.Location.SourceTree == syntax.SyntaxTree
                            && CompilerErrors.Within(c.SemanticModel, diagnostic.Location.SourceSpan, c.CancellationToken);
                        if (!consequence)
                        {
                            c.ReportDiagnostic(diagnostic);
                        }
                    }
                }, SyntaxKind.MethodDeclaration);
            });
        }
    }
}
