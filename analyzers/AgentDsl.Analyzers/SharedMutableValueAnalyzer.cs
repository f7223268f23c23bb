using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentDsl.Generators;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Helpers;
using AgentDsl.Generators.Models;
using AgentDsl.Ir.Topology;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentDsl.Analyzers
{
    /// <summary>
    /// ADSL0007: a mutable collection (a flow input or an operator's result) that reaches two operators the graph may run
    /// at the same time, one of which takes it as a type it can change through (<see cref="MutableTypes"/>). A direct call
    /// of the flow runs the calls one after the other, the graph does not: the results can differ.
    /// </summary>
    /// <remarks>
    /// "May run at the same time": neither node waits for the other, directly or through others (the runtime's dependency
    /// rule, <see cref="GraphTopology.Predecessors"/>), and no <c>if</c> or <c>switch</c> separates them (one guard node
    /// tested both ways). A fan-out's calls all run at the same time, so a value passed to every call of one fan-out is
    /// shared too; a fan-out reads its collection once, when it starts. A merge node (a reassigned local) passes its value
    /// through, so the value's consumers are also those of the merges it reaches. Reads the lowering the other analyzers
    /// share (<see cref="GraphLowerings"/>); the types come from the bound calls in the flow.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SharedMutableValueAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.SharedMutableValue);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var graphAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.AgentGraphAttribute);
                var flowAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.FlowAttribute);
                if (graphAttribute is null || flowAttribute is null)
                {
                    return;
                }

                // A syntax action on the flow method, for its semantic model (the argument types and spans).
                start.RegisterSyntaxNodeAction(c => AnalyzeFlow(c, graphAttribute, flowAttribute), SyntaxKind.MethodDeclaration);
            });
        }

        private static void AnalyzeFlow(SyntaxNodeAnalysisContext context, INamedTypeSymbol graphAttribute, INamedTypeSymbol flowAttribute)
        {
            var syntax = (MethodDeclarationSyntax)context.Node;
            if (context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol flow
                || !flow.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, flowAttribute)))
            {
                return;
            }

            var type = flow.ContainingType;
            var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, graphAttribute));
            if (attribute is null)
            {
                return;
            }

            var result = GraphLowerings.For(context.Compilation).Lower(type, attribute, context.CancellationToken);
            if (result.Spec is not { } spec || result.Diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                || spec.Nodes.Any(n => n.FilePath != syntax.SyntaxTree.FilePath))
            {
                return; // Nothing to check (the lowering errors are reported elsewhere), or a flow in another file than this one.
            }

            var calls = CallsByPosition(syntax);
            var uses = new List<Use>();
            foreach (var node in spec.Nodes)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (node.IsMerge || node.IsConstant || node.IsCaseTest || !calls.TryGetValue((node.Line, node.Column), out var call)
                    || context.SemanticModel.GetOperation(call, context.CancellationToken) is not IInvocationOperation invocation)
                {
                    continue; // A merge, a case test or a returned constant: no operator takes the value (a merge passes it on: Roots).
                }

                foreach (var arg in node.Args)
                {
                    if (arg.Source != ArgSource.Input && arg.Source != ArgSource.Node)
                    {
                        continue; // An element is a different value in every call of a fan-out; constants are not shared.
                    }

                    var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == arg.Parameter);
                    if (argument?.Parameter is { } parameter)
                    {
                        bool mutable = MutableTypes.CanChangeThrough(parameter.Type, Unconverted(argument.Value).Type);
                        uses.Add(new Use(node, arg.Source, arg.Index, argument.Value.Syntax, mutable ? parameter : null));
                    }
                }

                if (node.FanOut is { } collection && (collection.Source == ArgSource.Input || collection.Source == ArgSource.Node)
                    && FanOutCollection(call) is { } collectionSyntax)
                {
                    uses.Add(new Use(node, collection.Source, collection.Index, collectionSyntax, null)); // Read once; never changed.
                }
            }

            foreach (var diagnostic in Conflicts(spec, uses))
            {
                context.ReportDiagnostic(diagnostic);
            }
        }

        /// <summary>For each use that conflicts with an earlier one, a diagnostic at the later use (one per use).</summary>
        private static IEnumerable<Diagnostic> Conflicts(GraphSpec spec, List<Use> uses)
        {
            var nodes = spec.Nodes;
            HashSet<int>[]? before = null; // made only when a value has two users (a chain never needs it: O(n²) there)
            var byValue = new Dictionary<(ArgSource, int), List<Use>>();
            foreach (var use in uses)
            {
                foreach (var root in Roots(nodes, use.Source, use.Index, new HashSet<int>()))
                {
                    if (!byValue.TryGetValue(root, out var list))
                    {
                        byValue[root] = list = new List<Use>();
                    }

                    list.Add(use);
                }
            }

            var reported = new HashSet<SyntaxNode>();
            foreach (var group in byValue.Values)
            {
                foreach (var later in group)
                {
                    if (reported.Contains(later.Syntax))
                    {
                        continue;
                    }

                    if (later.Node.FanOut is not null && later.Parameter is not null)
                    {
                        // Every call of the fan-out gets the same value, and they all run at the same time.
                        reported.Add(later.Syntax);
                        yield return Report(later, $"the calls of the fan-out '{later.Node.Name}'", later);
                        continue;
                    }

                    var earlier = group.FirstOrDefault(e => e.Node.Id < later.Node.Id && (e.Parameter ?? later.Parameter) is not null
                        && !(before ??= Ancestors(spec))[later.Node.Id].Contains(e.Node.Id) && !Exclusive(e.Node, later.Node));
                    if (earlier is not null)
                    {
                        reported.Add(later.Syntax);
                        yield return Report(later, $"'{earlier.Node.Name}' and '{later.Node.Name}'", later.Parameter is null ? earlier : later);
                    }
                }
            }
        }

        private static Diagnostic Report(Use at, string sharers, Use changer) =>
            Diagnostic.Create(DiagnosticDescriptors.SharedMutableValue, at.Syntax.GetLocation(),
                at.Syntax.ToString(), sharers, $"'{changer.Node.Name}'", changer.Parameter!.Name,
                changer.Parameter.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));

        /// <summary>The values a use reads: the flow input or node result itself, or, through merges, every version it may be.</summary>
        private static IEnumerable<(ArgSource, int)> Roots(EquatableArray<NodeSpec> nodes, ArgSource source, int index, HashSet<int> seen)
        {
            if (source != ArgSource.Node || !nodes[index].IsMerge)
            {
                yield return (source, index);
                yield break;
            }

            if (!seen.Add(index))
            {
                yield break;
            }

            foreach (var version in nodes[index].Args.Where(a => a.Source == ArgSource.Input || a.Source == ArgSource.Node))
            {
                foreach (var root in Roots(nodes, version.Source, version.Index, seen))
                {
                    yield return root;
                }
            }
        }

        /// <summary>Per node, every node it waits for, directly or not (ids ascending are a topological order).</summary>
        private static HashSet<int>[] Ancestors(GraphSpec spec)
        {
            var result = new HashSet<int>[spec.Nodes.Count];
            foreach (var node in spec.Nodes)
            {
                var set = new HashSet<int>();
                foreach (int p in GraphTopology.Predecessors(
                    node.Args.Where(a => a.Source == ArgSource.Node).Select(a => a.Index),
                    node.FanOut is { Source: ArgSource.Node } fanOut ? fanOut.Index : -1,
                    node.Guards.Select(g => g.Node)))
                {
                    set.Add(p);
                    set.UnionWith(result[p]);
                }

                result[node.Id] = set;
            }

            return result;
        }

        /// <summary>Whether two nodes never both run: one guard node tested one way for one and the other way for the other.</summary>
        private static bool Exclusive(NodeSpec a, NodeSpec b) =>
            a.Guards.Any(g => b.Guards.Any(h => h.Node == g.Node && h.When != g.When));

        /// <summary>The flow's calls by their start (1-based line and column), as the lowered nodes record them.</summary>
        private static Dictionary<(int, int), InvocationExpressionSyntax> CallsByPosition(MethodDeclarationSyntax flow)
        {
            var result = new Dictionary<(int, int), InvocationExpressionSyntax>();
            foreach (var call in flow.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                var start = call.GetLocation().GetLineSpan().StartLinePosition;
                result[(start.Line + 1, start.Character + 1)] = call;
            }

            return result;
        }

        /// <summary>The collection a fan-out's call maps over: <c>items</c> in <c>items.Select(x =&gt; Op(x))</c> or <c>foreach (var x in items)</c>.</summary>
        private static ExpressionSyntax? FanOutCollection(InvocationExpressionSyntax call)
        {
            foreach (var ancestor in call.Ancestors())
            {
                switch (ancestor)
                {
                    case ForEachStatementSyntax each:
                        return each.Expression;
                    case LambdaExpressionSyntax { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax select } } } }:
                        return select.Expression;
                }
            }

            return null;
        }

        /// <summary>The value as the flow holds it, before C#'s implicit conversion to the parameter's type.</summary>
        private static IOperation Unconverted(IOperation value) =>
            value is IConversionOperation { IsImplicit: true } conversion ? conversion.Operand : value;

        /// <summary>One operator's use of a value: the node, where the value comes from, the syntax, and the parameter when it can change it.</summary>
        private sealed record Use(NodeSpec Node, ArgSource Source, int Index, SyntaxNode Syntax, IParameterSymbol? Parameter);
    }
}
