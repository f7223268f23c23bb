using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AgentDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.CodeFixes
{
    /// <summary>ADSL0300 and ADSL0105: adds <c>partial</c> to the type and every containing type that lacks it.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
    public sealed class MakePartialCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.GraphClassNotPartialId, DiagnosticDescriptors.KernelTypeNotPartialId);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var node = root?.FindNode(context.Span);
            var type = node?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (root is null || type is null)
            {
                return;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Make the type partial", ct => Task.FromResult(Fix(context.Document, root, type)), equivalenceKey: "AgentDsl.MakePartial"),
                context.Diagnostics);
        }

        private static Document Fix(Document document, SyntaxNode root, TypeDeclarationSyntax type)
        {
            var targets = type.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
            var newRoot = root.ReplaceNodes(targets, (_, t) => t.AddModifiers(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
            return document.WithSyntaxRoot(newRoot);
        }
    }

    /// <summary>ADSL0003: marks the called method of the graph class <c>[Operator]</c>.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddOperatorAttributeCodeFixProvider)), Shared]
    public sealed class AddOperatorAttributeCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NotAnOperatorId);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            var invocation = root?.FindNode(context.Span).AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault();
            if (root is null || model is null || invocation is null || model.GetSymbolInfo(invocation, context.CancellationToken).Symbol is not IMethodSymbol method)
            {
                return;
            }

            var caller = invocation.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            var declaration = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(context.CancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (declaration is null || caller is null || declaration.SyntaxTree != root.SyntaxTree
                || !SymbolEqualityComparer.Default.Equals(method.ContainingType, model.GetDeclaredSymbol(caller, context.CancellationToken)))
            {
                return; // Only methods of the graph class, in this document, can become operators.
            }

            context.RegisterCodeFix(
                CodeAction.Create($"Mark '{method.Name}' as an [Operator]", ct => Task.FromResult(AddAttribute(context.Document, root, declaration)), equivalenceKey: "AgentDsl.AddOperator"),
                context.Diagnostics);
        }

        private static Document AddAttribute(Document document, SyntaxNode root, MethodDeclarationSyntax method)
        {
            bool imported = root.DescendantNodes().OfType<UsingDirectiveSyntax>().Any(u => u.Name?.ToString() == "AgentDsl");
            var attribute = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(SyntaxFactory.ParseName(imported ? "Operator" : "AgentDsl.Operator"))));
            var leading = method.GetLeadingTrivia();
            var updated = method.WithoutLeadingTrivia()
                .WithAttributeLists(method.AttributeLists.Insert(0, attribute.WithLeadingTrivia(leading).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed)));
            return document.WithSyntaxRoot(root.ReplaceNode(method, updated.WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation)));
        }
    }

    /// <summary>ADSL0005: removes a call whose result nobody uses.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveUnusedCallCodeFixProvider)), Shared]
    public sealed class RemoveUnusedCallCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnusedResultId);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var statement = root?.FindNode(context.Span).AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault();
            if (root is null || statement is null || statement is BlockSyntax
                || (statement is LocalDeclarationStatementSyntax local && local.Declaration.Variables.Count != 1))
            {
                return;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Remove the unused call", ct => Task.FromResult(context.Document.WithSyntaxRoot(root.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia)!)), equivalenceKey: "AgentDsl.RemoveUnusedCall"),
                context.Diagnostics);
        }
    }
}
