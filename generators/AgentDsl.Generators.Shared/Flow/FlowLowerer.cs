using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Helpers;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators.Flow
{
    /// <summary>
    /// Lowers an [AgentGraph] class's [Flow] method into a <see cref="GraphSpec"/> plus diagnostics: each operator call
    /// becomes a node, each if arm a guard, each bounded loop unrolled copies, each reassigned local a merge. Shared
    /// source: the generator emits code from the spec, and the analyzers check the same graph (findings, placement).
    /// </summary>
    /// <remarks>
    /// One instance lowers one flow. Files by concern: this one (entry, the flow method, graph assembly, nodes),
    /// <c>.Statements</c> (statement lists, declarations, returns, if, switch, conditions), <c>.Expressions</c>
    /// (operands and calls), <c>.FanOut</c> (Select, foreach, collectors), <c>.Locals</c> (local versions, merges and
    /// loop unrolling, with their invariants), <c>.Diagnostics</c> (reporting, findings, message builders) and
    /// <c>.Operators</c> (the operator catalogue). State that lives only for one call is passed, not kept in fields.
    /// </remarks>
    internal sealed partial class FlowLowerer
    {
        private static readonly SymbolDisplayFormat DisplayFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

        private static readonly SymbolDisplayFormat FqFormat = SymbolDisplayFormat.FullyQualifiedFormat;

        private readonly SemanticModel _model;
        private readonly INamedTypeSymbol _graphType;
        private readonly CancellationToken _ct;

        /// <summary>[Flow(MaxIterations = n)]: how far a while loop is unrolled; 0 when not declared.</summary>
        private readonly int _maxIterations;

        /// <summary>Whether the flow returns a value (T, Task&lt;T&gt;, ValueTask&lt;T&gt;), so a constant return gets its own node.</summary>
        private readonly bool _returnsValue;

        /// <summary>Whether a return may hand back an operator's task unawaited: a flow returning a task that is not async.</summary>
        private readonly bool _allowTaskReturn;

        /// <summary>The flow's CancellationToken parameter, if it has one: the token every operator is handed.</summary>
        private readonly IParameterSymbol? _cancellationParameter;

        // The graph as it is assembled: inputs (by parameter), nodes (id = index), names taken, returns.
        private readonly Dictionary<ISymbol, int> _inputs = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
        private readonly List<InputSpec> _inputSpecs = new List<InputSpec>();
        private readonly List<NodeSpec> _nodes = new List<NodeSpec>();
        private readonly Dictionary<string, int> _nameCounts = new Dictionary<string, int>();
        private readonly List<(ReturnSpec Spec, Value Value)> _returns = new List<(ReturnSpec, Value)>();

        /// <summary>The guards of the if arms (and switch sections, loop iterations) being lowered, outermost first: every node added gets them.</summary>
        private readonly List<GuardSpec> _guards = new List<GuardSpec>();

        private FlowLowerer(SemanticModel model, INamedTypeSymbol graphType, IMethodSymbol flow, Dictionary<IMethodSymbol, OperatorInfo> operators, CancellationToken ct)
        {
            _model = model;
            _graphType = graphType;
            _operators = operators;
            _ct = ct;
            var flowAttr = flow.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.FlowAttribute);
            foreach (var named in flowAttr.NamedArguments)
            {
                if (named.Key == "MaxIterations" && named.Value.Value is int max)
                {
                    _maxIterations = max;
                }
            }

            var shape = Classify(flow.ReturnType).Shape;
            _returnsValue = shape == ReturnShape.Value || shape == ReturnShape.TaskOfT || shape == ReturnShape.ValueTaskOfT;
            _allowTaskReturn = !flow.IsAsync && shape != ReturnShape.Value;
            _cancellationParameter = flow.Parameters.LastOrDefault(p => p.RefKind == RefKind.None && !p.IsParams && IsCancellationToken(p.Type));
        }

        /// <summary>Test hook, null in use: called with each graph type as its lowering starts (the analyzer tests count lowerings).</summary>
        internal static Action<INamedTypeSymbol>? Lowering = null;

        /// <summary>Lowers the class ForAttributeWithMetadataName found (the generator's transform).</summary>
        public static GraphResult Lower(GeneratorAttributeSyntaxContext context, CancellationToken ct) =>
            context.TargetSymbol is INamedTypeSymbol type
                ? Lower(type, context.Attributes[0], context.SemanticModel.Compilation, ct)
                : new GraphResult(null, EquatableArray<DiagnosticInfo>.Empty);

        /// <summary>
        /// Lowers <paramref name="type"/>'s flow. The spec is null when the class cannot be generated (not partial, generic,
        /// not exactly one [Flow]): the declaration analyzer reports those.
        /// </summary>
        public static GraphResult Lower(INamedTypeSymbol type, AttributeData graphAttr, Compilation compilation, CancellationToken ct)
        {
            Lowering?.Invoke(type);
            if (!CanGenerate(type, ct))
            {
                // Not partial, generic, or nested in such a type: AgentDsl.Analyzers reports it (ADSL0300, ADSL0303).
                return new GraphResult(null, EquatableArray<DiagnosticInfo>.Empty);
            }

            var flows = type.GetMembers().OfType<IMethodSymbol>().Where(m => HasAttribute(m, KnownTypeNames.FlowAttribute)).ToList();
            if (flows.Count != 1)
            {
                return new GraphResult(null, EquatableArray<DiagnosticInfo>.Empty); // ADSL0301, from the analyzer.
            }

            var flow = flows[0];
            if (flow.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) is not MethodDeclarationSyntax flowSyntax)
            {
                return new GraphResult(null, EquatableArray<DiagnosticInfo>.Empty);
            }

            var operators = CollectOperators(type);
            ct.ThrowIfCancellationRequested();
            var model = compilation.GetSemanticModel(flowSyntax.SyntaxTree);
            var lowerer = new FlowLowerer(model, type, flow, operators, ct);
            var (outputDisplay, outputFq) = lowerer.LowerFlow(flow, flowSyntax);
            ct.ThrowIfCancellationRequested();
            var spec = lowerer.Assemble(type, graphAttr, flow, outputDisplay, outputFq) with { Errors = lowerer.ErrorMessages() };
            lowerer.CollectFindings();
            return new GraphResult(spec, lowerer._diagnostics) { Findings = lowerer._findings };
        }

        /// <summary>The graph spec from the lowered nodes, inputs and returns and the [AgentGraph] attribute's settings.</summary>
        private GraphSpec Assemble(INamedTypeSymbol type, AttributeData graphAttr, IMethodSymbol flow, string outputDisplay, string? outputFq)
        {
            double sla = 0;
            double percentile = 0.99;
            string graphName = type.Name;
            foreach (var named in graphAttr.NamedArguments)
            {
                switch (named.Key)
                {
                    case "LatencySlaMs" when named.Value.Value is double d:
                        sla = d;
                        break;
                    case "Percentile" when named.Value.Value is double p:
                        percentile = p;
                        break;
                    case "Name" when named.Value.Value is string s && s.Length > 0:
                        graphName = s;
                        break;
                }
            }

            var containing = new List<ContainingTypeSpec>();
            for (var t = type.ContainingType; t != null; t = t.ContainingType)
            {
                containing.Insert(0, new ContainingTypeSpec(TypeKeyword(t), t.Name));
            }

            string ns = type.ContainingNamespace.IsGlobalNamespace ? null! : type.ContainingNamespace.ToDisplayString();
            string metadataName = (ns is null ? string.Empty : ns + ".") + string.Join(".", containing.Select(c => c.Name).Concat(new[] { type.Name }));

            // One unguarded return is the graph's output; otherwise the output is chosen among the guarded returns at run time.
            var output = _returns.Count == 1 && _returns[0].Spec.Guards.Count == 0
                ? new ArgSpec("return", _returns[0].Value.TypeDisplay, _returns[0].Value.TypeFq, _returns[0].Value.Source, _returns[0].Value.Index, null, null)
                : null;
            return new GraphSpec(
                Namespace: ns,
                ContainingTypes: containing,
                ClassName: type.Name,
                ClassKeyword: TypeKeyword(type),
                FullyQualifiedName: type.ToDisplayString(FqFormat),
                DisplayName: type.ToDisplayString(),
                HintName: metadataName + ".AgentGraph.g.cs",
                ExtensionAccessibility: EffectiveAccessibility(type),
                GraphName: graphName,
                FlowName: flow.Name,
                SlaMs: sla,
                Percentile: percentile,
                Inputs: _inputSpecs,
                Nodes: _nodes,
                Output: output,
                OutputTypeDisplay: outputDisplay,
                OutputTypeFq: outputFq)
            {
                Returns = _returns.Count > 1 ? _returns.Select(r => r.Spec).ToList() : new List<ReturnSpec>(),
                BatchForms = FindBatchForms(type, _operators, _nodes, _ct),
            };
        }

        /// <summary>The flow's parameters become inputs (the CancellationToken excepted); its body, statements or an arrow, is lowered.</summary>
        private (string Display, string? Fq) LowerFlow(IMethodSymbol flow, MethodDeclarationSyntax syntax)
        {
            foreach (var p in flow.Parameters)
            {
                if (p.RefKind != RefKind.None || p.IsParams)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowSignature, p.Locations.FirstOrDefault(), flow.Name, $"parameter '{p.Name}' is {(p.IsParams ? "params" : p.RefKind.ToString().ToLowerInvariant())}; flow inputs are passed by value");
                    continue;
                }

                if (IsCancellationToken(p.Type))
                {
                    continue; // _cancellationParameter
                }

                int index = _inputSpecs.Count;
                _inputs[p] = index;
                _inputSpecs.Add(new InputSpec(index, p.Name, p.Type.ToDisplayString(DisplayFormat), p.Type.ToDisplayString(FqFormat)));
            }

            var resultType = Classify(flow.ReturnType).Result;
            if (syntax.Body is { } body)
            {
                LowerStatements(body.Statements, 0, loop: null);
            }
            else if (syntax.ExpressionBody is { } arrow)
            {
                if (_returnsValue)
                {
                    LowerReturn(arrow.Expression);
                }
                else
                {
                    LowerExpressionStatement(arrow.Expression);
                }
            }
            else
            {
                Report(DiagnosticDescriptors.UnsupportedFlowSignature, syntax.Identifier.GetLocation(), flow.Name, "it has no body");
            }

            return _returnsValue
                ? (resultType!.ToDisplayString(DisplayFormat), resultType.ToDisplayString(FqFormat))
                : ("void", null);
        }

        /// <summary>Whether code can be generated for <paramref name="type"/>: a partial, non-generic class, in partial, non-generic types.</summary>
        private static bool CanGenerate(INamedTypeSymbol type, CancellationToken ct)
        {
            for (var t = type; t != null; t = t.ContainingType)
            {
                if (t.IsGenericType || t.TypeKind != TypeKind.Class && t.TypeKind != TypeKind.Struct)
                {
                    return false;
                }

                foreach (var reference in t.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(ct) is not TypeDeclarationSyntax decl || !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        return false;
                    }
                }
            }

            return type.TypeKind == TypeKind.Class;
        }

        /// <summary>"public" or "internal" for the runner extension class, or null when the graph is not visible at namespace level.</summary>
        private static string? EffectiveAccessibility(INamedTypeSymbol type)
        {
            string result = "public";
            for (var t = type; t != null; t = t.ContainingType)
            {
                if (t.DeclaredAccessibility == Accessibility.Internal)
                {
                    result = "internal";
                }
                else if (t.DeclaredAccessibility != Accessibility.Public)
                {
                    return null;
                }
            }

            return result;
        }

        private static string TypeKeyword(INamedTypeSymbol type) =>
            type.IsRecord ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record") : type.TypeKind == TypeKind.Struct ? "struct" : "class";

        /// <summary>A node name not taken yet: the operator's name, then "name#2", "name#3" for further calls.</summary>
        private string UniqueName(string name)
        {
            _nameCounts.TryGetValue(name, out int count);
            _nameCounts[name] = ++count;
            return count == 1 ? name : name + "#" + count.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>Adds a node at <paramref name="at"/> under the current guards and loop iteration; returns its id.</summary>
        private int AddNode(string name, string method, bool isStatic, OperatorKind kind, ReturnShape shape, string resultDisplay, string? resultFq,
            List<ArgSpec> args, CostSpec cost, SyntaxNode at, Func<NodeSpec, NodeSpec> complete)
        {
            int id = _nodes.Count;
            var span = at.GetLocation().GetLineSpan();
            _nodes.Add(complete(new NodeSpec(id, name, method, isStatic, kind, shape, resultDisplay, resultFq, args, cost,
                span.Path ?? string.Empty, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1)
            {
                Guards = new List<GuardSpec>(_guards),
                LoopId = _iteration.Loop,
                LoopIteration = _iteration.Iteration,
                LoopBound = _iteration.Bound,
            }));
            return id;
        }
    }
}
