using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Helpers;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AgentDsl.Generators
{
    /// <summary>
    /// Lowers an [AgentGraph] class's flow into a <see cref="GraphSpec"/> plus diagnostics. Shared source: the
    /// generator emits code from the spec, and the analyzers check the same graph against the hardware profile.
    /// </summary>
    internal static class FlowLowering
    {
        /// <summary>Lowers the class FAWMN found.</summary>
        public static GraphResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct) =>
            context.TargetSymbol is INamedTypeSymbol type
                ? FlowGraphGenerator.Parser.Parse(type, context.Attributes[0], context.SemanticModel.Compilation, ct)
                : new GraphResult(null, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>Holds the flow parser (nested for historic naming; shared by generator and analyzers).</summary>
    sealed partial class FlowGraphGenerator
    {
        /// <summary>
        /// Turns an [AgentGraph] class into a <see cref="GraphSpec"/> plus lowering diagnostics. Split by responsibility:
        /// this file (state, entry point, the flow method, value types), <c>.ControlFlow</c>, <c>.Statements</c>,
        /// <c>.Expressions</c> and <c>.Support</c>.
        /// </summary>
        internal sealed partial class Parser
        {
            private static readonly SymbolDisplayFormat DisplayFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;
            private static readonly SymbolDisplayFormat FqFormat = SymbolDisplayFormat.FullyQualifiedFormat;

            private readonly SemanticModel _model;
            private readonly INamedTypeSymbol _graphType;
            private readonly Dictionary<IMethodSymbol, OperatorInfo> _operators;
            private readonly Dictionary<ISymbol, Value> _locals = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);
            private readonly HashSet<ISymbol> _failedLocals = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            private readonly Dictionary<ISymbol, int> _inputs = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
            private readonly List<InputSpec> _inputSpecs = new List<InputSpec>();
            private readonly List<NodeSpec> _nodes = new List<NodeSpec>();
            private readonly Dictionary<string, int> _nameCounts = new Dictionary<string, int>();
            private readonly List<DiagnosticInfo> _diagnostics = new List<DiagnosticInfo>();
            private readonly List<DiagnosticInfo> _findings = new List<DiagnosticInfo>();
            private readonly List<(ISymbol Local, VariableDeclaratorSyntax Syntax, string Node)> _declared = new List<(ISymbol, VariableDeclaratorSyntax, string)>();
            private readonly HashSet<ISymbol> _usedLocals = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            private readonly HashSet<IMethodSymbol> _calledOperators = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            private bool _inWhenAll;
            private readonly List<GuardSpec> _guards = new List<GuardSpec>();
            private readonly List<ReturnSpec> _returns = new List<ReturnSpec>();
            private readonly Dictionary<int, double> _trueProbability = new Dictionary<int, double>();
            private (IParameterSymbol? Parameter, ILocalSymbol? Local, string Display, string Fq)? _element;
            private readonly Dictionary<ISymbol, int> _loopConstants = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
            private readonly Stack<List<Dictionary<ISymbol, Value>>> _loops = new Stack<List<Dictionary<ISymbol, Value>>>();
            private readonly HashSet<ISymbol> _unassigned = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            private int _maxIterations;
            private readonly Dictionary<ISymbol, string> _collectors = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
            private int _loopCount;
            private (int Loop, int Iteration, int Bound) _iteration = (-1, 0, 0);
            private const int MaxUnrolledIterations = 64;
            private string? _returnTypeDisplay;
            private readonly CancellationToken _ct;
            private ISymbol? _cancellationParameter;
            private ArgSpec? _output;

            private Parser(SemanticModel model, INamedTypeSymbol graphType, Dictionary<IMethodSymbol, OperatorInfo> operators, CancellationToken ct)
            {
                _model = model;
                _graphType = graphType;
                _operators = operators;
                _ct = ct;
            }

            public static GraphResult Parse(INamedTypeSymbol type, AttributeData graphAttr, Compilation compilation, CancellationToken ct)
            {
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

                var operators = new Dictionary<IMethodSymbol, OperatorInfo>(SymbolEqualityComparer.Default);
                foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
                {
                    var attr = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.OperatorAttribute);
                    if (attr != null)
                    {
                        operators[method] = OperatorInfo.From(method, attr);
                    }
                }

                ct.ThrowIfCancellationRequested();
                var model = compilation.GetSemanticModel(flowSyntax.SyntaxTree);

                var parser = new Parser(model, type, operators, ct);
                var flowAttr = flow.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.FlowAttribute);
                foreach (var named in flowAttr.NamedArguments)
                {
                    if (named.Key == "MaxIterations" && named.Value.Value is int max)
                    {
                        parser._maxIterations = max;
                    }
                }

                var (outputDisplay, outputFq) = parser.LowerFlow(flow, flowSyntax);
                ct.ThrowIfCancellationRequested();

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

                var spec = new GraphSpec(
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
                    Inputs: parser._inputSpecs,
                    Nodes: parser._nodes,
                    Output: parser._output,
                    OutputTypeDisplay: outputDisplay,
                    OutputTypeFq: outputFq)
                {
                    Returns = parser._returns.Count > 1 ? parser._returns : new List<ReturnSpec>(),
                    BatchForms = FindBatchForms(type, operators, parser._nodes, ct),
                };
                parser.CollectFindings(operators);
                return new GraphResult(spec, parser._diagnostics) { Findings = parser._findings };
            }

            /// <summary>
            /// For each batchable operator with one input that the flow calls: an overload of the same name (not itself an
            /// operator) taking <c>IReadOnlyList&lt;TInput&gt;</c> (and optionally a CancellationToken) and returning
            /// <c>TResult[]</c> or <c>IReadOnlyList&lt;TResult&gt;</c>, directly or in a Task / ValueTask.
            /// </summary>
            private static List<BatchFormSpec> FindBatchForms(INamedTypeSymbol type, Dictionary<IMethodSymbol, OperatorInfo> operators, List<NodeSpec> nodes, CancellationToken ct)
            {
                var forms = new List<BatchFormSpec>();
                foreach (var pair in operators.OrderBy(p => p.Value.Name, StringComparer.Ordinal))
                {
                    ct.ThrowIfCancellationRequested();
                    var op = pair.Key;
                    var info = pair.Value;
                    if (!info.Cost.Batchable || !nodes.Any(n => n.MethodName == op.Name && !n.IsMerge))
                    {
                        continue;
                    }

                    foreach (var candidate in type.GetMembers(op.Name).OfType<IMethodSymbol>())
                    {
                        if (!operators.ContainsKey(candidate) && BatchFormMatcher.LooksLikeBatchForm(op, candidate) && BatchFormMatcher.Mismatch(op, candidate) == null)
                        {
                            var input = op.Parameters.First(p => !IsCancellationToken(p.Type)).Type;
                            var result = Classify(op.ReturnType).Result!;
                            forms.Add(new BatchFormSpec(info.Name, candidate.Name, candidate.IsStatic, input.ToDisplayString(FqFormat), result.ToDisplayString(FqFormat), Classify(candidate.ReturnType).Shape, candidate.Parameters.Length == 2));
                            break;
                        }
                    }
                }

                return forms;
            }

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
                        _cancellationParameter = p;
                        continue;
                    }

                    int index = _inputSpecs.Count;
                    _inputs[p] = index;
                    _inputSpecs.Add(new InputSpec(index, p.Name, p.Type.ToDisplayString(DisplayFormat), p.Type.ToDisplayString(FqFormat)));
                }

                var (shape, resultType) = Classify(flow.ReturnType);
                bool returnsValue = shape == ReturnShape.Value || shape == ReturnShape.TaskOfT || shape == ReturnShape.ValueTaskOfT;
                bool allowTaskReturn = !flow.IsAsync && shape != ReturnShape.Value;

                _returnTypeDisplay = returnsValue ? resultType!.ToDisplayString(DisplayFormat) : null;
                if (syntax.Body is { } body)
                {
                    LowerStatements(body.Statements, 0, allowTaskReturn);
                }
                else if (syntax.ExpressionBody is { } arrow)
                {
                    if (returnsValue)
                    {
                        LowerReturn(arrow.Expression, allowTaskReturn);
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

                return returnsValue
                    ? (resultType!.ToDisplayString(DisplayFormat), resultType.ToDisplayString(FqFormat))
                    : ("void", null);
            }

            /// <summary>A value in the flow: where it comes from, its type, and whether it is an operator's not-yet-awaited task.</summary>
            private sealed class Value
            {
                public Value(ArgSource source, int index, string typeDisplay, string typeFq, string? code, string? literal, bool isPendingTask)
                {
                    Source = source;
                    Index = index;
                    TypeDisplay = typeDisplay;
                    TypeFq = typeFq;
                    Code = code;
                    Literal = literal;
                    IsPendingTask = isPendingTask;
                }

                public ArgSource Source { get; }

                public int Index { get; }

                public string TypeDisplay { get; }

                public string TypeFq { get; }

                public string? Code { get; }

                public string? Literal { get; }

                public bool IsPendingTask { get; }

                public Value Awaited() => new Value(Source, Index, TypeDisplay, TypeFq, Code, Literal, false);
            }

            /// <summary>What the parser needs to know of an [Operator] method.</summary>
            private sealed class OperatorInfo
            {
                public string Name = string.Empty;
                public int Kind;
                public ReturnShape Shape;
                public string ResultDisplay = "void";
                public string? ResultFq;
                public CostSpec Cost = null!;
                public double? TrueProbability;

                /// <summary>A nested graph's flow as an operator: kind Agent, no cost hints of its own.</summary>
                public static OperatorInfo ForNestedFlow(IMethodSymbol flow)
                {
                    var info = new OperatorInfo
                    {
                        Name = flow.ContainingType.Name,
                        Kind = 6,
                        Cost = NoCost,
                    };
                    var (shape, result) = Classify(flow.ReturnType);
                    info.Shape = shape;
                    if (result != null)
                    {
                        info.ResultDisplay = result.ToDisplayString(DisplayFormat);
                        info.ResultFq = result.ToDisplayString(FqFormat);
                    }

                    return info;
                }

                public static OperatorInfo From(IMethodSymbol method, AttributeData attr)
                {
                    var info = new OperatorInfo { Name = method.Name };
                    if (attr.ConstructorArguments.Length == 1 && attr.ConstructorArguments[0].Value is int kind)
                    {
                        info.Kind = kind;
                    }

                    double flops = 0, bytes = 0, memory = 0, parameters = 0;
                    int allowed = (int)DeviceKinds.Any, preferred = 0, layers = 0, hidden = 0, heads = 0, kvHeads = 0, precision = 0, prompt = 0, output = 0;
                    bool batchable = false, retry = false;
                    string? model = null;
                    foreach (var named in attr.NamedArguments)
                    {
                        object? v = named.Value.Value;
                        switch (named.Key)
                        {
                            case "Name" when v is string s && s.Length > 0: info.Name = s; break;
                            case "Flops" when v is double d: flops = d; break;
                            case "BytesMoved" when v is double d: bytes = d; break;
                            case "MemoryFootprintBytes" when v is double d: memory = d; break;
                            case "AllowedDevices" when v is int i: allowed = i; break;
                            case "PreferredDevices" when v is int i: preferred = i; break;
                            case "Batchable" when v is bool b: batchable = b; break;
                            case "SafeToRetry" when v is bool b: retry = b; break;
                            case "Model" when v is string s: model = s; break;
                            case "ModelParameters" when v is double d: parameters = d; break;
                            case "Layers" when v is int i: layers = i; break;
                            case "HiddenSize" when v is int i: hidden = i; break;
                            case "Heads" when v is int i: heads = i; break;
                            case "KvHeads" when v is int i: kvHeads = i; break;
                            case "Precision" when v is int i: precision = i; break;
                            case "PromptTokens" when v is int i: prompt = i; break;
                            case "OutputTokens" when v is int i: output = i; break;
                            case "TrueProbability" when v is double d && d >= 0 && d <= 1: info.TrueProbability = d; break;
                        }
                    }

                    bool hasModel = model != null || parameters > 0 || layers > 0 || hidden > 0 || heads > 0;
                    info.Cost = new CostSpec(
                        flops,
                        bytes,
                        memory,
                        allowed,
                        preferred,
                        batchable,
                        retry,
                        hasModel ? new ModelSpec(model, parameters, layers, hidden, heads, kvHeads == 0 ? heads : kvHeads, precision, prompt, output) : null);

                    var (shape, result) = Classify(method.ReturnType);
                    info.Shape = shape;
                    if (result != null)
                    {
                        info.ResultDisplay = result.ToDisplayString(DisplayFormat);
                        info.ResultFq = result.ToDisplayString(FqFormat);
                    }

                    return info;
                }
            }
        }
    }
}
