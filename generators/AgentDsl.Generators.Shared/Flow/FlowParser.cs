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
        /// <summary>Turns an [AgentGraph] class into a <see cref="GraphSpec"/> plus lowering diagnostics.</summary>
        internal sealed class Parser
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

            /// <summary>
            /// Lowers statements[start..]. An <c>if</c> without <c>else</c> whose arm always returns puts the statements
            /// after it under the negated condition (the flow's implicit else).
            /// </summary>
            private void LowerStatements(IReadOnlyList<StatementSyntax> statements, int start, bool allowTaskReturn, Action? continuation = null)
            {
                for (int i = start; i < statements.Count; i++)
                {
                    _ct.ThrowIfCancellationRequested();
                    if (statements[i] is BlockSyntax block)
                    {
                        // A nested block's exits guard what follows it too: lower it inline with the rest.
                        var combined = new List<StatementSyntax>(block.Statements);
                        for (int j = i + 1; j < statements.Count; j++)
                        {
                            combined.Add(statements[j]);
                        }

                        LowerStatements(combined, 0, allowTaskReturn, continuation);
                        return;
                    }

                    if (statements[i] is IfStatementSyntax ifs
                        && AlwaysExits(ifs.Statement) != (ifs.Else != null && AlwaysExits(ifs.Else.Statement)))
                    {
                        // Exactly one arm always exits (return, break): the rest runs only on the other arm's path.
                        var guard = LowerCondition(ifs.Condition);
                        if (guard is null)
                        {
                            return; // Reported; the arms would only repeat errors.
                        }

                        bool thenExits = AlwaysExits(ifs.Statement);
                        var otherwise = Negate(guard);
                        CheckFallThrough(thenExits ? ifs.Else?.Statement : ifs.Statement);
                        var before = Snapshot();
                        _guards.Add(guard);
                        LowerStatement(ifs.Statement, allowTaskReturn);
                        var afterThen = Snapshot();
                        Restore(before);
                        if (ifs.Else != null)
                        {
                            _guards[_guards.Count - 1] = otherwise;
                            LowerStatement(ifs.Else.Statement, allowTaskReturn);
                        }

                        if (!thenExits)
                        {
                            Restore(afterThen); // The else exited: what follows sees the then-arm's values.
                        }

                        _guards[_guards.Count - 1] = thenExits ? otherwise : guard;
                        LowerStatements(statements, i + 1, allowTaskReturn, continuation);
                        _guards.RemoveAt(_guards.Count - 1);
                        return;
                    }

                    LowerStatement(statements[i], allowTaskReturn);
                    if (AlwaysExits(statements[i]))
                    {
                        return; // Anything after is unreachable (the C# compiler warns).
                    }
                }

                continuation?.Invoke();
            }

            /// <summary>
            /// A return or break in an arm that can also complete normally would make what follows the if conditional on a
            /// disjunction, which guards (conjunctions) cannot express: report it.
            /// </summary>
            private void CheckFallThrough(StatementSyntax? arm)
            {
                if (arm is null || AlwaysExits(arm))
                {
                    return;
                }

                var exit = arm.DescendantNodesAndSelf(n => n is not (LambdaExpressionSyntax or LocalFunctionStatementSyntax or AnonymousMethodExpressionSyntax))
                    .FirstOrDefault(n => n is ReturnStatementSyntax || (n is BreakStatementSyntax && !n.Ancestors().TakeWhile(x => x != arm).Any(x => x is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachStatementSyntax or SwitchStatementSyntax)));
                if (exit != null)
                {
                    string what = exit is ReturnStatementSyntax ? "return" : "break";
                    Report(DiagnosticDescriptors.UnsupportedFlowStatement, exit, $"a {what} in an if arm that can also end without a {what}",
                        $"make every path of that arm end in a {what}, or move the statements after the if into an else");
                }
            }

            private static bool AlwaysExits(StatementSyntax statement) => Ends(statement, breakExits: true);

            private static bool AlwaysReturns(StatementSyntax statement) => Ends(statement, breakExits: false);

            /// <summary>Whether every path through <paramref name="statement"/> ends in a return (or, with <paramref name="breakExits"/>, a break).</summary>
            private static bool Ends(StatementSyntax statement, bool breakExits) => statement switch
            {
                ReturnStatementSyntax => true,
                BreakStatementSyntax => breakExits,
                BlockSyntax block => block.Statements.Count > 0 && Ends(block.Statements[block.Statements.Count - 1], breakExits),
                IfStatementSyntax ifs => ifs.Else != null && Ends(ifs.Statement, breakExits) && Ends(ifs.Else.Statement, breakExits),
                SwitchStatementSyntax sw => sw.Sections.Any(x => x.Labels.Any(l => l is DefaultSwitchLabelSyntax))
                    && sw.Sections.All(x => x.Statements.Count > 0 && Ends(x.Statements[x.Statements.Count - 1], breakExits: false)),
                _ => false,
            };

            private Dictionary<ISymbol, Value> Snapshot() => new Dictionary<ISymbol, Value>(_locals, SymbolEqualityComparer.Default);

            private void Restore(Dictionary<ISymbol, Value> snapshot)
            {
                _locals.Clear();
                foreach (var pair in snapshot)
                {
                    _locals[pair.Key] = pair.Value;
                }
            }

            private static bool SameValue(Value a, Value b) => a.Source == b.Source && a.Index == b.Index;

            /// <summary><c>x = Op(...)</c>: the local's next version (an operator result of the local's type).</summary>
            private void LowerAssignment(AssignmentExpressionSyntax assignment, ILocalSymbol target)
            {
                int before = _nodes.Count;
                var value = Eval(assignment.Right, allowPendingTask: false);
                if (value is null)
                {
                    return;
                }

                string localFq = target.Type.ToDisplayString(FqFormat);
                if (value.Source != ArgSource.Node || value.Index < before)
                {
                    // Only a call made here is guarded by the enclosing ifs; an older value would look as if it always ran.
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, assignment.Right, assignment.Right.ToString(),
                        "assign a local the result of an operator call made in the assignment; to copy another value, call an operator that returns it");
                    return;
                }

                if (value.TypeFq != localFq)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, assignment.Right, assignment.Right.ToString(),
                        $"a flow local is assigned the result of an operator of its own type ({target.Type.ToDisplayString(DisplayFormat)}); convert inside an operator");
                    return;
                }

                _locals[target] = value;
                _failedLocals.Remove(target);
            }

            /// <summary>
            /// After paths that assigned different versions of locals, a merge node per such local whose inputs are the
            /// versions the paths end with, in production order, latest first (<see cref="OrderVersions"/>); at run time
            /// the first whose node ran, which is the version of the path taken.
            /// </summary>
            private void MergeVersions(IEnumerable<ISymbol> locals, IReadOnlyList<Dictionary<ISymbol, Value>> paths, SyntaxNode at)
            {
                foreach (var local in locals.ToList())
                {
                    var versions = new List<Value>();
                    foreach (var snapshot in paths)
                    {
                        if (snapshot.TryGetValue(local, out var v) && !versions.Any(x => SameValue(x, v)))
                        {
                            versions.Add(v);
                        }
                    }

                    OrderVersions(versions);

                    if (versions.Count == 0)
                    {
                        continue;
                    }

                    if (versions.Count == 1)
                    {
                        _locals[local] = versions[0];
                        continue;
                    }

                    // The versions' own type (the operators' result type), not the local's annotated one ('var' locals are nullable).
                    string display = versions[0].TypeDisplay, fq = versions[0].TypeFq;
                    var args = versions.Select((v, k) => new ArgSpec("v" + k.ToString(CultureInfo.InvariantCulture), v.TypeDisplay, v.TypeFq, v.Source, v.Index, null, null)).ToList();
                    int id = AddNode(UniqueName("merge." + local.Name), "merge", isStatic: false, kind: 0, ReturnShape.Value, display, fq, args, NoCost, at,
                        n => n with { IsMerge = true });
                    _locals[local] = new Value(ArgSource.Node, id, display, fq, null, null, false);
                }
            }

            /// <summary>
            /// The merge rule: versions ordered by the id of the node that produced them, latest first, flow inputs last.
            /// Why the first one whose node ran is the taken path's version: every node is lowered under the guards of its
            /// path, so nodes of mutually exclusive paths (if/else arms, switch sections, loop exits) never both run; a
            /// path that kept an older version reaches the merge only if no later version on another path ran; and along
            /// one path (an unrolled loop) a later node runs only if every exit before it was not taken. The order of the
            /// paths in source therefore never matters; <c>GraphDefinition</c> rejects a merge whose inputs break it.
            /// </summary>
            private static void OrderVersions(List<Value> versions) =>
                versions.Sort((a, b) => Rank(b).CompareTo(Rank(a)));

            /// <summary>A version's place in production order: a node's id, below every node for a flow input.</summary>
            private static int Rank(Value v) => v.Source == ArgSource.Node ? v.Index : -1 - v.Index;

            /// <summary>The locals a merge may concern: those visible before the construct (assigned or declared unassigned).</summary>
            private IEnumerable<ISymbol> OuterLocals(Dictionary<ISymbol, Value> before) =>
                before.Keys.Concat(_unassigned.Where(u => !before.ContainsKey(u)));

            /// <summary>
            /// <c>switch</c> on an operator result (or parameter) with one constant label per section: a case-test node per
            /// label (value == constant), each section guarded by its test and the failed tests before it, default by all
            /// failed. Every section ends in break, or every section (with a default) returns.
            /// </summary>
            private void LowerSwitch(SwitchStatementSyntax sw, bool allowTaskReturn)
            {
                const string Shape = "a flow's switch has one constant label per section (case X: or default:) and ends each section with break, or returns from every section";
                var value = Eval(sw.Expression, allowPendingTask: false);
                if (value is null)
                {
                    return;
                }

                if (value.Source != ArgSource.Node && value.Source != ArgSource.Input)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, sw.Expression, sw.Expression.ToString(), "switch on an operator result or a flow parameter");
                    return;
                }

                var sections = new List<(SwitchSectionSyntax Section, ExpressionSyntax? Label, List<StatementSyntax> Body)>();
                foreach (var section in sw.Sections)
                {
                    if (section.Labels.Count != 1 || section.Labels[0] is not (CaseSwitchLabelSyntax or DefaultSwitchLabelSyntax))
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowStatement, section.Labels[section.Labels.Count > 1 ? 1 : 0], "this switch label", Shape);
                        return;
                    }

                    var label = (section.Labels[0] as CaseSwitchLabelSyntax)?.Value;
                    var body = section.Statements.SelectMany(st => st is BlockSyntax b ? b.Statements : (IEnumerable<StatementSyntax>)new[] { st }).ToList();
                    if (body.Count > 0 && body[body.Count - 1] is BreakStatementSyntax)
                    {
                        body.RemoveAt(body.Count - 1);
                    }

                    // A nested switch's breaks end its own sections (it is lowered on its own), as a loop's end the loop.
                    var stray = body.SelectMany(st => st.DescendantNodesAndSelf(n => n is not (ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachStatementSyntax or SwitchStatementSyntax or LambdaExpressionSyntax)))
                        .OfType<BreakStatementSyntax>().FirstOrDefault();
                    if (stray != null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowStatement, stray!, "a break inside a switch section", Shape);
                        return;
                    }

                    sections.Add((section, label, body));
                }

                bool anyReturns = sections.Any(x => x.Body.Count > 0 && AlwaysReturns(x.Body[x.Body.Count - 1]));
                bool allReturn = sections.All(x => x.Body.Count > 0 && AlwaysReturns(x.Body[x.Body.Count - 1])) && sections.Any(x => x.Label is null);
                if (anyReturns && !allReturn)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowStatement, sw.SwitchKeyword.Parent!, "a switch where some sections return", Shape);
                    return;
                }

                // The tests, in source order: section i runs when test i holds and the earlier ones failed.
                var tests = new List<GuardSpec>();
                foreach (var (section, label, _) in sections)
                {
                    if (label is null)
                    {
                        continue;
                    }

                    var constant = _model.GetConstantValue(label, _ct);
                    var type = _model.GetTypeInfo(sw.Expression, _ct).Type;
                    if (!constant.HasValue || type is null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, label, label.ToString(), "a case label is a constant");
                        return;
                    }

                    var c = Constant(constant.Value, type);
                    var args = new List<ArgSpec>
                    {
                        new ArgSpec("value", value.TypeDisplay, value.TypeFq, value.Source, value.Index, null, null),
                        new ArgSpec("case", c.TypeDisplay, c.TypeFq, ArgSource.Constant, 0, c.Code, c.Literal),
                    };
                    int id = AddNode(UniqueName("case " + label), "==", isStatic: true, kind: 0, ReturnShape.Value, "bool", "bool", args, NoCost, label,
                        n => n with { IsCaseTest = true });
                    tests.Add(new GuardSpec(id, true));
                }

                var before = Snapshot();
                var outer = OuterLocals(before).ToList();
                var afters = new List<Dictionary<ISymbol, Value>>();
                int depth = _guards.Count;
                int testIndex = 0;
                foreach (var (section, label, body) in sections.Where(x => x.Label != null).Concat(sections.Where(x => x.Label is null)))
                {
                    int upTo = label is null ? tests.Count : testIndex;
                    for (int t = 0; t < upTo; t++)
                    {
                        _guards.Add(new GuardSpec(tests[t].Node, false));
                    }

                    if (label != null)
                    {
                        _guards.Add(tests[testIndex++]);
                    }

                    LowerStatements(body, 0, allowTaskReturn);
                    afters.Add(Snapshot());
                    Restore(before);
                    _guards.RemoveRange(depth, _guards.Count - depth);
                }

                if (!sections.Any(x => x.Label is null))
                {
                    afters.Add(before); // No default: the value may stay as it was.
                }

                MergeVersions(outer, afters, sw);
            }

            /// <summary><c>for (int i = a; i &lt; b; i++)</c> with constant bounds, unrolled; <c>i</c> is a constant in each copy.</summary>
            private void LowerFor(ForStatementSyntax loop, bool allowTaskReturn)
            {
                const string Shape = "a flow's for loop has constant bounds, 'for (int i = a; i < b; i++)' (or <=), at most 64 iterations; loop inside an operator otherwise";
                ILocalSymbol? counter = null;
                int from = 0, to = 0;
                bool ok = loop.Declaration is { Variables.Count: 1 } decl
                    && decl.Variables[0].Initializer is { } init
                    && _model.GetConstantValue(init.Value, _ct) is { HasValue: true, Value: int a }
                    && (counter = _model.GetDeclaredSymbol(decl.Variables[0], _ct) as ILocalSymbol) != null
                    && SetInt(ref from, a)
                    && loop.Condition is BinaryExpressionSyntax cond
                    && (cond.IsKind(SyntaxKind.LessThanExpression) || cond.IsKind(SyntaxKind.LessThanOrEqualExpression))
                    && SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(cond.Left, _ct).Symbol, counter)
                    && _model.GetConstantValue(cond.Right, _ct) is { HasValue: true, Value: int b }
                    && SetInt(ref to, cond.IsKind(SyntaxKind.LessThanOrEqualExpression) ? b + 1 : b)
                    && loop.Incrementors.Count == 1
                    && loop.Incrementors[0] is PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression } or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression }
                    && !loop.Statement.DescendantNodes().OfType<AssignmentExpressionSyntax>().Any(x => SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(x.Left, _ct).Symbol, counter))
                    && to - from <= MaxUnrolledIterations;
                if (!ok || counter is null)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowStatement, loop.ForKeyword.Parent!, "this for loop", Shape);
                    return;
                }

                LowerLoop(loop, Math.Max(0, to - from), k => _loopConstants[counter] = from + k, null, allowTaskReturn);
                _loopConstants.Remove(counter);
            }

            private static bool SetInt(ref int target, int value)
            {
                target = value;
                return true;
            }

            /// <summary><c>while (cond)</c> on a bool operator result, unrolled to the flow's declared MaxIterations.</summary>
            private void LowerWhile(WhileStatementSyntax loop, bool allowTaskReturn)
            {
                if (_maxIterations <= 0 || _maxIterations > MaxUnrolledIterations)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowStatement, loop, "a while loop without a bound",
                        _maxIterations <= 0
                            ? "declare the most iterations with [Flow(MaxIterations = n)] (n from 1 to 64)"
                            : "MaxIterations is at most 64; loop inside an operator for more");
                    return;
                }

                LowerLoop(loop, _maxIterations, null, loop.Condition, allowTaskReturn);
            }

            /// <summary>
            /// Unrolls a bounded loop: iteration k+1 is lowered as the continuation of iteration k's body, so a break (an
            /// if arm that always breaks) guards every later iteration; a while condition guards its iteration. Afterwards
            /// each local gets a merge of its versions at the loop's exits.
            /// </summary>
            private void LowerLoop(StatementSyntax loop, int iterations, Action<int>? setCounter, ExpressionSyntax? condition, bool allowTaskReturn)
            {
                var before = Snapshot();
                var exits = new List<Dictionary<ISymbol, Value>>();
                int depth = _guards.Count;
                var body = loop switch
                {
                    ForStatementSyntax f => f.Statement,
                    WhileStatementSyntax w => w.Statement,
                    _ => loop,
                };
                IReadOnlyList<StatementSyntax> statements = body is BlockSyntax block ? block.Statements : new[] { body };
                _loops.Push(exits);
                var outerIteration = _iteration;
                int loopId = _loopCount++;

                void Iterate(int k)
                {
                    if (k == iterations)
                    {
                        exits.Add(Snapshot());
                        return;
                    }

                    setCounter?.Invoke(k);
                    _iteration = (loopId, k, iterations);
                    if (condition is null)
                    {
                        LowerStatements(statements, 0, allowTaskReturn, () => Iterate(k + 1));
                        return;
                    }

                    var guard = LowerCondition(condition);
                    if (guard is null)
                    {
                        exits.Add(Snapshot());
                        return;
                    }

                    exits.Add(Snapshot()); // The condition is false: the loop ends with the values as they are.
                    _guards.Add(guard);
                    LowerStatements(statements, 0, allowTaskReturn, () => Iterate(k + 1));
                    _guards.RemoveAt(_guards.Count - 1);
                }

                Iterate(0);
                _iteration = outerIteration;
                _loops.Pop();
                while (_guards.Count > depth)
                {
                    _guards.RemoveAt(_guards.Count - 1);
                }

                var outer = OuterLocals(before).ToList();
                Restore(before);
                MergeVersions(outer, exits, loop);
            }

            /// <summary>Lowers an <c>if</c> condition to a guard: a bool operator result (a local, an awaited call) or its negation.</summary>
            private GuardSpec? LowerCondition(ExpressionSyntax condition)
            {
                var expr = Unwrap(condition);
                bool when = true;
                while (expr is PrefixUnaryExpressionSyntax neg && neg.IsKind(SyntaxKind.LogicalNotExpression))
                {
                    when = !when;
                    expr = Unwrap(neg.Operand);
                }

                const string Hint = "a condition is the bool result of an operator (a local holding it, an awaited call) or its negation with '!'; compute anything else inside an operator that returns bool";
                if (expr is BinaryExpressionSyntax or IsPatternExpressionSyntax or ConditionalExpressionSyntax)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, condition, condition.ToString(), Hint);
                    return null;
                }

                var value = Eval(expr, allowPendingTask: false);
                if (value is null)
                {
                    return null;
                }

                if (value.Source != ArgSource.Node || value.TypeDisplay != "bool")
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, condition, condition.ToString(), Hint);
                    return null;
                }

                return Guard(value.Index, when);
            }

            /// <summary>A guard on node <paramref name="node"/>, with the probability hint of its operator's TrueProbability.</summary>
            private GuardSpec Guard(int node, bool when) =>
                _trueProbability.TryGetValue(node, out double p)
                    ? new GuardSpec(node, when, when ? p : 1 - p)
                    : new GuardSpec(node, when);

            /// <summary>The other arm of <paramref name="guard"/>: the same node, the opposite result and probability.</summary>
            private GuardSpec Negate(GuardSpec guard) => Guard(guard.Node, !guard.When);

            private void LowerIf(IfStatementSyntax ifs, bool allowTaskReturn)
            {
                var guard = LowerCondition(ifs.Condition);
                if (guard is null)
                {
                    return;
                }

                CheckFallThrough(ifs.Statement);
                CheckFallThrough(ifs.Else?.Statement);
                var before = Snapshot();
                _guards.Add(guard);
                LowerStatement(ifs.Statement, allowTaskReturn);
                _guards.RemoveAt(_guards.Count - 1);
                var afterThen = Snapshot();
                Restore(before);
                if (ifs.Else != null)
                {
                    _guards.Add(Negate(guard));
                    LowerStatement(ifs.Else.Statement, allowTaskReturn);
                    _guards.RemoveAt(_guards.Count - 1);
                }

                var afterElse = Snapshot();
                var outer = OuterLocals(before).ToList();
                Restore(before);

                // A local either arm reassigned: merge the arms' versions (the pre-if value when an arm kept it).
                MergeVersions(outer, new[] { afterThen, afterElse, before }, ifs);
            }

            private void LowerStatement(StatementSyntax statement, bool allowTaskReturn)
            {
                switch (statement)
                {
                    case IfStatementSyntax ifs:
                        LowerIf(ifs, allowTaskReturn);
                        break;
                    case LocalDeclarationStatementSyntax decl:
                        LowerLocalDeclaration(decl);
                        break;
                    case ExpressionStatementSyntax es:
                        LowerExpressionStatement(es.Expression);
                        break;
                    case ReturnStatementSyntax ret:
                        if (_loops.Count > 0)
                        {
                            Report(DiagnosticDescriptors.UnsupportedFlowStatement, ret, "return inside a loop", "break out of the loop and return after it");
                            break;
                        }

                        if (ret.Expression != null)
                        {
                            LowerReturn(ret.Expression, allowTaskReturn);
                        }

                        break;
                    case BreakStatementSyntax when _loops.Count > 0:
                        _loops.Peek().Add(Snapshot());
                        break;
                    case ForEachStatementSyntax each:
                        LowerForEach(each);
                        break;
                    case ForStatementSyntax loop:
                        LowerFor(loop, allowTaskReturn);
                        break;
                    case SwitchStatementSyntax sw:
                        LowerSwitch(sw, allowTaskReturn);
                        break;
                    case WhileStatementSyntax loop:
                        LowerWhile(loop, allowTaskReturn);
                        break;
                    case BlockSyntax block:
                        LowerStatements(block.Statements, 0, allowTaskReturn);
                        break;
                    case EmptyStatementSyntax:
                        break;
                    default:
                        var (what, hint) = DescribeStatement(statement);
                        Report(DiagnosticDescriptors.UnsupportedFlowStatement, StatementAnchor(statement), what, hint);
                        break;
                }
            }

            private void LowerLocalDeclaration(LocalDeclarationStatementSyntax decl)
            {
                if (decl.UsingKeyword.IsKind(SyntaxKind.UsingKeyword))
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowStatement, decl.UsingKeyword.GetLocation(), "using declaration", "resources belong inside an operator");
                    return;
                }

                if (decl.IsConst)
                {
                    return; // Constants are read where they are used.
                }

                foreach (var v in decl.Declaration.Variables)
                {
                    if (v.Initializer is null)
                    {
                        // Assigned later, from an operator call (in each arm of an if, or in a loop).
                        if (_model.GetDeclaredSymbol(v, _ct) is { } declared)
                        {
                            _unassigned.Add(declared);
                        }

                        continue;
                    }

                    if (_model.GetDeclaredSymbol(v, _ct) is ILocalSymbol collector && IsEmptyList(v.Initializer.Value, collector.Type))
                    {
                        // Filled by a foreach that adds an operator result per element (a fan-in).
                        _collectors[collector] = collector.Type.ToDisplayString(FqFormat);
                        continue;
                    }

                    var value = Eval(v.Initializer.Value, allowPendingTask: true);
                    if (_model.GetDeclaredSymbol(v, _ct) is { } local)
                    {
                        if (value != null)
                        {
                            _locals[local] = value;
                            if (value.Source == ArgSource.Node)
                            {
                                _declared.Add((local, v, _nodes[value.Index].Name));
                            }
                        }
                        else
                        {
                            _failedLocals.Add(local); // Already reported: uses of it stay silent.
                        }
                    }
                }
            }

            private void LowerExpressionStatement(ExpressionSyntax expression)
            {
                var inner = Unwrap(expression);
                if (inner is AwaitExpressionSyntax aw && IsWhenAll(StripConfigureAwait(Unwrap(aw.Expression)), out var whenAll))
                {
                    foreach (var arg in whenAll.ArgumentList.Arguments)
                    {
                        _inWhenAll = true;
                        var v = Eval(arg.Expression, allowPendingTask: true);
                        _inWhenAll = false;
                        if (v != null && !v.IsPendingTask)
                        {
                            Report(DiagnosticDescriptors.UnsupportedFlowExpression, arg, arg.ToString(), "Task.WhenAll takes the tasks of operator calls (locals assigned from an operator call without await)");
                        }
                    }

                    return;
                }

                if (inner is AwaitExpressionSyntax || inner is InvocationExpressionSyntax)
                {
                    int before = _nodes.Count;
                    var discarded = Eval(inner, allowPendingTask: true);
                    if (discarded is { Source: ArgSource.Node } && _nodes.Count > before && _nodes[discarded.Index].ResultTypeFq != null)
                    {
                        AddFinding(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedResult, expression, _nodes[discarded.Index].Name, "its result is discarded"));
                    }

                    return;
                }

                if (inner is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment
                    && _model.GetSymbolInfo(assignment.Left, _ct).Symbol is ILocalSymbol { IsConst: false } target
                    && !_loopConstants.ContainsKey(target))
                {
                    LowerAssignment(assignment, target);
                    return;
                }

                string what = inner switch
                {
                    AssignmentExpressionSyntax => "assignment",
                    PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax => "increment or decrement",
                    _ => inner.ToString(),
                };
                Report(DiagnosticDescriptors.UnsupportedFlowStatement, expression, what, "a flow local is assigned with '=' from an operator call; compute anything else inside an operator");
            }

            private void LowerReturn(ExpressionSyntax expression, bool allowTaskReturn)
            {
                if (Unwrap(expression) is ConditionalExpressionSyntax ternary)
                {
                    // return c ? a : b;  is  if (c) return a; return b;
                    var guard = LowerCondition(ternary.Condition);
                    if (guard is null)
                    {
                        return;
                    }

                    _guards.Add(guard);
                    LowerReturn(ternary.WhenTrue, allowTaskReturn);
                    _guards[_guards.Count - 1] = Negate(guard);
                    LowerReturn(ternary.WhenFalse, allowTaskReturn);
                    _guards.RemoveAt(_guards.Count - 1);
                    return;
                }

                var value = Eval(expression, allowPendingTask: allowTaskReturn);
                if (value is null)
                {
                    return;
                }

                if (value.Source == ArgSource.Constant && _returnTypeDisplay != null)
                {
                    value = LowerConstantReturn(expression, value);
                }

                if (value.Source == ArgSource.Node || value.Source == ArgSource.Input)
                {
                    _returns.Add(new ReturnSpec(value.Source, value.Index, new List<GuardSpec>(_guards)));
                    _output = _returns.Count == 1 && _guards.Count == 0
                        ? new ArgSpec("return", value.TypeDisplay, value.TypeFq, value.Source, value.Index, null, null)
                        : null;
                }
                else
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, expression, expression.ToString(), "a flow returns an operator result, a flow parameter or a constant");
                }
            }

            /// <summary>
            /// <c>return "constant";</c>: a node that produces the constant (no operator, no cost), so that a return is
            /// always a node result or an input and the constant is returned only on its own path.
            /// </summary>
            private Value LowerConstantReturn(ExpressionSyntax expression, Value constant)
            {
                var type = _model.GetTypeInfo(Unwrap(expression), _ct).ConvertedType;
                string display = type?.ToDisplayString(DisplayFormat) ?? constant.TypeDisplay;
                string fq = type?.ToDisplayString(FqFormat) ?? constant.TypeFq;
                var args = new List<ArgSpec> { new ArgSpec("value", constant.TypeDisplay, constant.TypeFq, ArgSource.Constant, 0, constant.Code, constant.Literal) };
                int id = AddNode(UniqueName("return " + constant.Literal), "const", isStatic: true, kind: 0, ReturnShape.Value, display, fq, args, NoCost, expression,
                    n => n with { IsConstant = true });
                return new Value(ArgSource.Node, id, display, fq, null, null, false);
            }

            private Value? Eval(ExpressionSyntax expression, bool allowPendingTask)
            {
                _ct.ThrowIfCancellationRequested();
                var expr = Unwrap(expression);
                switch (expr)
                {
                    case AwaitExpressionSyntax aw:
                    {
                        var operand = StripConfigureAwait(Unwrap(aw.Expression));
                        if (IsWhenAll(operand, out var whenAllCall) && whenAllCall.ArgumentList.Arguments.Count == 1
                            && IsSelect(Unwrap(whenAllCall.ArgumentList.Arguments[0].Expression), out var mapped))
                        {
                            return LowerFanOut(mapped, aw, isAsync: true);
                        }

                        if (IsWhenAll(operand, out _))
                        {
                            Report(DiagnosticDescriptors.UnsupportedFlowExpression, aw, aw.ToString(), "use 'await Task.WhenAll(...)' as a statement, then 'await' each task for its result");
                            return null;
                        }

                        var v = Eval(operand, allowPendingTask: true);
                        if (v is null)
                        {
                            return null;
                        }

                        if (!v.IsPendingTask)
                        {
                            Report(DiagnosticDescriptors.UnsupportedFlowExpression, aw, aw.ToString(), "only the task of an operator call can be awaited");
                            return null;
                        }

                        return v.Awaited();
                    }

                    case InvocationExpressionSyntax toArray
                        when toArray.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ToArray" } toArrayAccess
                            && toArray.ArgumentList.Arguments.Count == 0
                            && IsSelect(Unwrap(toArrayAccess.Expression), out var selected):
                        return LowerFanOut(selected, toArray, isAsync: false);

                    case InvocationExpressionSyntax invocation:
                    {
                        var v = LowerCall(invocation);
                        if (v != null && v.IsPendingTask && !allowPendingTask)
                        {
                            Report(DiagnosticDescriptors.UnsupportedFlowExpression, invocation, invocation.ToString(), "the task of an operator call must be awaited before its result is used");
                            return null;
                        }

                        return v;
                    }
                }

                var symbol = _model.GetSymbolInfo(expr, _ct).Symbol;
                if (symbol != null && _failedLocals.Contains(symbol))
                {
                    return null;
                }

                if (symbol is ILocalSymbol counter && _loopConstants.TryGetValue(counter, out int iteration))
                {
                    return Constant(iteration, counter.Type); // A for loop's counter is a constant in each unrolled copy.
                }

                if (symbol is ILocalSymbol { IsConst: false } && _locals.TryGetValue(symbol, out var local))
                {
                    if (!_inWhenAll)
                    {
                        _usedLocals.Add(symbol);
                    }

                    if (local.IsPendingTask && !allowPendingTask)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, expr, expr.ToString(), "it holds an operator's task; use 'await " + expr + "' for its result");
                        return null;
                    }

                    return local;
                }

                if (symbol != null && _element != null
                    && (SymbolEqualityComparer.Default.Equals(symbol, _element.Value.Parameter) || SymbolEqualityComparer.Default.Equals(symbol, _element.Value.Local)))
                {
                    return new Value(ArgSource.Element, 0, _element.Value.Display, _element.Value.Fq, null, null, false);
                }

                if (symbol is IParameterSymbol && _inputs.TryGetValue(symbol, out int input))
                {
                    var spec = _inputSpecs[input];
                    return new Value(ArgSource.Input, input, spec.TypeDisplay, spec.TypeFq, null, null, false);
                }

                if (symbol != null && SymbolEqualityComparer.Default.Equals(symbol, _cancellationParameter))
                {
                    return new Value(ArgSource.CancellationToken, 0, "System.Threading.CancellationToken", "global::System.Threading.CancellationToken", null, null, false);
                }

                var constant = _model.GetConstantValue(expr, _ct);
                if (constant.HasValue)
                {
                    var typeInfo = _model.GetTypeInfo(expr, _ct);
                    var type = typeInfo.Type ?? typeInfo.ConvertedType;
                    if (type != null)
                    {
                        return Constant(constant.Value, type);
                    }
                }

                if (expr is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression } || expr is DefaultExpressionSyntax)
                {
                    var type = _model.GetTypeInfo(expr, _ct).ConvertedType;
                    if (type != null)
                    {
                        string fq = type.ToDisplayString(FqFormat);
                        return new Value(ArgSource.Constant, 0, type.ToDisplayString(DisplayFormat), fq, "default(" + fq + ")", "default", false);
                    }
                }

                if (expr is LambdaExpressionSyntax)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, expr, "lambda", "pass data, not code, between operators; put the logic in an operator");
                    return null;
                }

                string hint = symbol is IFieldSymbol or IPropertySymbol
                    ? "flows read only their parameters, operator results and constants; read fields and properties inside an operator"
                    : "an operator argument is a flow parameter, a local holding an operator result, a constant, the flow's CancellationToken or an operator call; compute anything else inside an operator";
                Report(DiagnosticDescriptors.UnsupportedFlowExpression, expr, expr.ToString(), hint);
                return null;
            }

            private Value? LowerCall(InvocationExpressionSyntax invocation)
            {
                if (_model.GetOperation(invocation, _ct) is not IInvocationOperation op)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, invocation, invocation.ToString(), "the call does not bind to a method");
                    return null;
                }

                var method = op.TargetMethod;
                string? subgraph = null;
                if (!_operators.TryGetValue(method.OriginalDefinition, out var info) && IsNestedFlow(method))
                {
                    // Another graph's flow: one node that runs that graph (a nested agent).
                    if (!IsMemberOfThis(op.Instance))
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, invocation, invocation.ToString(),
                            "call a nested graph's flow on a field or property of this graph that holds it (for example one injected in the constructor)");
                        return null;
                    }

                    info = OperatorInfo.ForNestedFlow(method);
                    subgraph = method.ContainingType.ToDisplayString(FqFormat);
                }

                if (info is null)
                {
                    string hint = HasAttribute(method, KnownTypeNames.FlowAttribute)
                        ? SymbolEqualityComparer.Default.Equals(method.ContainingType, _graphType)
                            ? "a flow cannot call itself: a graph is a finite DAG"
                            : "the flow's class is not an [AgentGraph] (or is generic or not partial)"
                        : HasAttribute(method, KnownTypeNames.KernelAttribute)
                            ? "kernels are launched from inside an operator, not from a flow"
                            : SymbolEqualityComparer.Default.Equals(method.ContainingType, _graphType)
                                ? "mark it [Operator] to make it a node, or call it inside an operator"
                                : "only [Operator] methods of the graph class are nodes; call other code inside an operator";
                    Report(DiagnosticDescriptors.NotAnOperator, invocation, method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), _graphType.Name, hint);
                    return null;
                }

                if (method.IsGenericMethod)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, invocation, invocation.ToString(), "generic operators are not supported; give the operator concrete types");
                    return null;
                }

                _calledOperators.Add(method.OriginalDefinition);

                if (subgraph is null && op.Instance != null && op.Instance is not IInstanceReferenceOperation)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, invocation, invocation.ToString(), "operators are called on the graph itself ('this'), not on another instance");
                    return null;
                }

                bool failed = false;
                var args = new List<ArgSpec>();
                foreach (var argument in op.Arguments)
                {
                    var parameter = argument.Parameter;
                    if (parameter is null)
                    {
                        failed = true;
                        continue;
                    }

                    string paramDisplay = parameter.Type.ToDisplayString(DisplayFormat);
                    string paramFq = parameter.Type.ToDisplayString(FqFormat);
                    if (IsCancellationToken(parameter.Type))
                    {
                        if (argument.ArgumentKind != ArgumentKind.DefaultValue && argument.Syntax is ArgumentSyntax ctArg && !IsCancellationArgument(ctArg.Expression))
                        {
                            Report(DiagnosticDescriptors.UnsupportedFlowExpression, ctArg, ctArg.ToString(), "pass the flow's CancellationToken parameter (or nothing): the runtime hands every operator the request's token");
                            failed = true;
                            continue;
                        }

                        args.Add(new ArgSpec(parameter.Name, paramDisplay, paramFq, ArgSource.CancellationToken, 0, null, null));
                        continue;
                    }

                    if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                    {
                        if (subgraph != null)
                        {
                            Report(DiagnosticDescriptors.UnsupportedFlowExpression, invocation, invocation.ToString(), $"pass every parameter of the nested flow (here '{parameter.Name}'); its inputs are given in full");
                            failed = true;
                        }

                        continue; // Omitted optional argument: the operator's own default applies.
                    }

                    // A parenthesised argument, Op((x)), binds with the inner expression as the argument's syntax.
                    var argSyntax = argument.Syntax as ArgumentSyntax
                        ?? argument.Syntax.AncestorsAndSelf().TakeWhile(x => x != invocation).OfType<ArgumentSyntax>().FirstOrDefault(a => a.Parent == invocation.ArgumentList);
                    if (argument.ArgumentKind == ArgumentKind.ParamArray || parameter.RefKind != RefKind.None || argSyntax is null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, argument.Syntax, argument.Syntax.ToString(), "operator parameters are passed by value, one argument each (no params arrays, ref, out or in)");
                        failed = true;
                        continue;
                    }

                    var value = Eval(argSyntax.Expression, allowPendingTask: false);
                    if (value is null)
                    {
                        failed = true;
                        continue;
                    }

                    args.Add(new ArgSpec(parameter.Name, paramDisplay, value.TypeFq, value.Source, value.Index, value.Code, value.Literal));
                }

                if (failed)
                {
                    return null;
                }

                args.Sort((a, b) => ParameterOrdinal(method, a.Parameter).CompareTo(ParameterOrdinal(method, b.Parameter)));

                int id = AddNode(UniqueName(info.Name), method.Name, method.IsStatic, info.Kind, info.Shape, info.ResultDisplay, info.ResultFq, args, info.Cost, invocation,
                    n => n with { SubgraphTypeFq = subgraph });

                if (info.TrueProbability is double tp)
                {
                    _trueProbability[id] = tp;
                }

                bool pending = info.Shape != ReturnShape.Value && info.Shape != ReturnShape.Void;
                return new Value(ArgSource.Node, id, info.ResultDisplay, info.ResultFq ?? "void", null, null, pending);
            }

            /// <summary>A [Flow] of another partial, non-generic [AgentGraph] class.</summary>
            private bool IsNestedFlow(IMethodSymbol method) =>
                HasAttribute(method, KnownTypeNames.FlowAttribute)
                && !SymbolEqualityComparer.Default.Equals(method.ContainingType, _graphType)
                && method.ContainingType is { } type
                && HasAttribute(type, KnownTypeNames.AgentGraphAttribute)
                && CanGenerate(type, _ct);

            /// <summary>A field or property of this graph read on 'this' (or implicitly).</summary>
            private static bool IsMemberOfThis(IOperation? instance) => instance switch
            {
                IFieldReferenceOperation f => f.Instance is null or IInstanceReferenceOperation,
                IPropertyReferenceOperation p => p.Instance is null or IInstanceReferenceOperation,
                IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } } => true,
                _ => false,
            };

            /// <summary><c>items.Select(x =&gt; ...)</c> with System.Linq's Select and a one-parameter lambda.</summary>
            private bool IsSelect(ExpressionSyntax expression, out InvocationExpressionSyntax select)
            {
                select = null!;
                if (expression is InvocationExpressionSyntax inv
                    && inv.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Select" }
                    && inv.ArgumentList.Arguments.Count == 1
                    && _model.GetSymbolInfo(inv, _ct).Symbol is IMethodSymbol m
                    && m.ContainingType.ToDisplayString() == "System.Linq.Enumerable")
                {
                    select = inv;
                    return true;
                }

                return false;
            }

            /// <summary>
            /// Lowers a fan-out: <c>await Task.WhenAll(items.Select(x =&gt; Op(x, ...)))</c> (async operator) or
            /// <c>items.Select(x =&gt; Op(x, ...)).ToArray()</c> (synchronous operator) to one node that calls the operator per
            /// element and whose result is the array of results.
            /// </summary>
            private Value? LowerFanOut(InvocationExpressionSyntax select, ExpressionSyntax whole, bool isAsync)
            {
                const string Shape = "a fan-out is 'await Task.WhenAll(items.Select(x => Op(x, ...)))' for an operator returning Task<T>, or 'items.Select(x => Op(x, ...)).ToArray()' for one returning T, where items is an operator result or a flow parameter";
                var access = (MemberAccessExpressionSyntax)select.Expression;
                var lambdaSyntax = select.ArgumentList.Arguments[0].Expression;
                var collection = Eval(access.Expression, allowPendingTask: false);
                if (collection is null)
                {
                    return null;
                }

                if (collection.Source != ArgSource.Node && collection.Source != ArgSource.Input)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, access.Expression, access.Expression.ToString(), Shape);
                    return null;
                }

                var (parameter, body) = lambdaSyntax switch
                {
                    SimpleLambdaExpressionSyntax { AsyncKeyword.RawKind: 0 } l => (l.Parameter, l.ExpressionBody),
                    ParenthesizedLambdaExpressionSyntax { AsyncKeyword.RawKind: 0, ParameterList.Parameters.Count: 1 } l => (l.ParameterList.Parameters[0], l.ExpressionBody),
                    _ => ((ParameterSyntax?)null, (ExpressionSyntax?)null),
                };
                if (parameter is null || body is null || Unwrap(body) is not InvocationExpressionSyntax call
                    || _model.GetDeclaredSymbol(parameter, _ct) is not IParameterSymbol elementSymbol)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, lambdaSyntax, lambdaSyntax.ToString(), "the body of a fan-out is one operator call on the element ('x => Op(x, ...)'); put more work in that operator");
                    return null;
                }

                int before = _nodes.Count;
                _element = (elementSymbol, null, elementSymbol.Type.ToDisplayString(DisplayFormat), elementSymbol.Type.ToDisplayString(FqFormat));
                var value = LowerCall(call);
                _element = null;
                if (value is null)
                {
                    _nodes.RemoveRange(before, _nodes.Count - before);
                    return null;
                }

                var node = _nodes[value.Index];
                int elementArgs = node.Args.Count(a => a.Source == ArgSource.Element);
                var inner = call.ArgumentList.Arguments.Select(a => StripAwait(a.Expression))
                    .Where(e => e is InvocationExpressionSyntax && !e.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(id => id.Identifier.ValueText == parameter.Identifier.ValueText))
                    .ToList();
                if (_nodes.Count != before + 1 && inner.Count > 0)
                {
                    foreach (var c in inner)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, c, c.ToString(),
                            "C# runs a call inside a fan-out lambda once per element, which a graph node cannot: call it before the fan-out, keep its result in a local and pass the local");
                    }

                    _nodes.RemoveRange(before, _nodes.Count - before);
                    return null;
                }

                if (_nodes.Count != before + 1 || elementArgs != 1)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, call, call.ToString(), "the element must be passed directly, once, to the one operator the fan-out calls ('x => Op(x, ...)')");
                    _nodes.RemoveRange(before, _nodes.Count - before); // Nothing refers to them; the build fails anyway.
                    return null;
                }

                bool shapeOk = isAsync ? node.Shape == ReturnShape.TaskOfT : node.Shape == ReturnShape.Value;
                if (!shapeOk)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, whole, whole.ToString(), Shape);
                    _nodes.RemoveRange(before, _nodes.Count - before);
                    return null;
                }

                _nodes[value.Index] = node with
                {
                    ResultTypeDisplay = node.ResultTypeDisplay + "[]",
                    ResultTypeFq = node.ResultTypeFq + "[]",
                    FanOut = new ArgSpec(parameter.Identifier.ValueText, collection.TypeDisplay, collection.TypeFq, collection.Source, collection.Index, null, null),
                    ElementTypeFq = elementSymbol.Type.ToDisplayString(FqFormat),
                    ItemResultTypeFq = node.ResultTypeFq,
                };
                return new Value(ArgSource.Node, value.Index, node.ResultTypeDisplay + "[]", node.ResultTypeFq + "[]", null, null, false);
            }

            /// <summary><c>new List&lt;T&gt;()</c>, <c>new()</c> or <c>[]</c> for a List&lt;T&gt; local.</summary>
            private bool IsEmptyList(ExpressionSyntax initializer, ITypeSymbol type) =>
                type is INamedTypeSymbol { Name: "List", TypeArguments.Length: 1 } list
                && list.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic"
                && Unwrap(initializer) switch
                {
                    ObjectCreationExpressionSyntax o => (o.ArgumentList?.Arguments.Count ?? 0) == 0 && o.Initializer is null,
                    ImplicitObjectCreationExpressionSyntax o => o.ArgumentList.Arguments.Count == 0 && o.Initializer is null,
                    CollectionExpressionSyntax c => c.Elements.Count == 0,
                    _ => false,
                };

            /// <summary>
            /// <c>foreach (var x in items) Op(x, ...);</c> (or <c>await Op(x, ...)</c>): a fan-out for the side effects, one
            /// call per element, concurrently; what follows does not wait for it unless it reads a result (use Select for
            /// results).
            /// </summary>
            private void LowerForEach(ForEachStatementSyntax each)
            {
                const string Shape = "a flow's foreach calls one operator on each element, 'foreach (var x in items) { await Op(x, ...); }'; for results use 'await Task.WhenAll(items.Select(x => Op(x, ...)))'";
                var statements = each.Statement is BlockSyntax block ? block.Statements.ToList() : new List<StatementSyntax> { each.Statement };
                var inner = statements.Count == 1 && statements[0] is ExpressionStatementSyntax es ? Unwrap(es.Expression) : null;
                ISymbol? collector = null;
                if (inner is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Add" } add } addCall
                    && addCall.ArgumentList.Arguments.Count == 1
                    && _model.GetSymbolInfo(add.Expression, _ct).Symbol is ILocalSymbol target
                    && _collectors.ContainsKey(target))
                {
                    // results.Add(Op(x)): the fan-out's results become the list (the fan-in).
                    collector = target;
                    inner = Unwrap(addCall.ArgumentList.Arguments[0].Expression);
                }

                bool awaited = false;
                if (inner is AwaitExpressionSyntax aw)
                {
                    inner = StripConfigureAwait(Unwrap(aw.Expression));
                    awaited = true;
                }

                if (inner is not InvocationExpressionSyntax call || _model.GetDeclaredSymbol(each, _ct) is not ILocalSymbol elementSymbol)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowStatement, each.ForEachKeyword.Parent!, "this foreach loop", Shape);
                    return;
                }

                var collection = Eval(each.Expression, allowPendingTask: false);
                if (collection is null)
                {
                    return;
                }

                if (collection.Source != ArgSource.Node && collection.Source != ArgSource.Input)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, each.Expression, each.Expression.ToString(), "a foreach goes over an operator result or a flow parameter");
                    return;
                }

                int before = _nodes.Count;
                _element = (null, elementSymbol, elementSymbol.Type.ToDisplayString(DisplayFormat), elementSymbol.Type.ToDisplayString(FqFormat));
                var value = LowerCall(call);
                _element = null;
                if (value is null || _nodes.Count != before + 1 || _nodes[value.Index].Args.Count(a => a.Source == ArgSource.Element) != 1)
                {
                    if (value != null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, call, call.ToString(), "the element must be passed directly, once, to the one operator the foreach calls");
                    }

                    _nodes.RemoveRange(before, _nodes.Count - before);
                    return;
                }

                var node = _nodes[value.Index];
                bool isTask = node.Shape == ReturnShape.Task || node.Shape == ReturnShape.TaskOfT;
                if (isTask != awaited || node.Shape == ReturnShape.ValueTask || node.Shape == ReturnShape.ValueTaskOfT)
                {
                    Report(DiagnosticDescriptors.UnsupportedFlowExpression, call, call.ToString(), isTask ? "await the operator's task in the foreach body" : Shape);
                    _nodes.RemoveRange(before, _nodes.Count - before);
                    return;
                }

                bool hasResult = node.ResultTypeFq != null;
                if (collector != null)
                {
                    string listFq = _collectors[collector];
                    if (!hasResult || listFq != "global::System.Collections.Generic.List<" + node.ResultTypeFq + ">")
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, call, call.ToString(), "add the operator's result itself to a List of its type");
                        _nodes.RemoveRange(before, _nodes.Count - before);
                        return;
                    }

                    _collectors.Remove(collector);
                    var listType = ((ILocalSymbol)collector).Type;
                    _nodes[value.Index] = node with
                    {
                        ResultTypeDisplay = "List<" + node.ResultTypeDisplay + ">",
                        ResultTypeFq = listFq,
                        FanOut = new ArgSpec(each.Identifier.ValueText, collection.TypeDisplay, collection.TypeFq, collection.Source, collection.Index, null, null),
                        ElementTypeFq = elementSymbol.Type.ToDisplayString(FqFormat),
                        ItemResultTypeFq = node.ResultTypeFq,
                        CollectsList = true,
                    };
                    _locals[collector] = new Value(ArgSource.Node, value.Index, "List<" + node.ResultTypeDisplay + ">", listFq, null, null, false);
                    return;
                }

                _nodes[value.Index] = node with
                {
                    ResultTypeDisplay = hasResult ? node.ResultTypeDisplay + "[]" : "void",
                    ResultTypeFq = hasResult ? node.ResultTypeFq + "[]" : null,
                    FanOut = new ArgSpec(each.Identifier.ValueText, collection.TypeDisplay, collection.TypeFq, collection.Source, collection.Index, null, null),
                    ElementTypeFq = elementSymbol.Type.ToDisplayString(FqFormat),
                    ItemResultTypeFq = node.ResultTypeFq,
                };
            }

            /// <summary>Cost hints of the nodes the lowering adds itself (merges, case tests): none.</summary>
            private static readonly CostSpec NoCost = new CostSpec(0, 0, 0, (int)DeviceKinds.Any, 0, false, false, null);

            /// <summary>Adds a node at <paramref name="at"/> under the current guards and loop iteration; returns its id.</summary>
            private int AddNode(string name, string method, bool isStatic, int kind, ReturnShape shape, string resultDisplay, string? resultFq,
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

            /// <summary>Graph findings for the analyzers: locals holding a result nobody reads, operators no flow calls.</summary>
            private void CollectFindings(Dictionary<IMethodSymbol, OperatorInfo> operators)
            {
                var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                foreach (var (local, syntax, node) in _declared)
                {
                    if (!_usedLocals.Contains(local) && reported.Add(local))
                    {
                        AddFinding(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedResult, syntax, node, $"the local '{local.Name}' is never read"));
                    }
                }

                foreach (var op in operators.Keys)
                {
                    if (!_calledOperators.Contains(op))
                    {
                        _findings.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnreachableOperator, op.Locations.FirstOrDefault(), op.Name, _graphType.Name));
                    }
                }
            }

            private bool IsCancellationArgument(ExpressionSyntax expression)
            {
                var expr = Unwrap(expression);
                if (expr is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression } || expr is DefaultExpressionSyntax)
                {
                    return true;
                }

                var symbol = _model.GetSymbolInfo(expr, _ct).Symbol;
                return (symbol != null && SymbolEqualityComparer.Default.Equals(symbol, _cancellationParameter))
                    || (symbol is IPropertySymbol { Name: "None" } prop && IsCancellationToken(prop.ContainingType));
            }

            private Value Constant(object? value, ITypeSymbol type)
            {
                string fq = type.ToDisplayString(FqFormat);
                string literal;
                string code;
                switch (value)
                {
                    case null:
                        literal = "null";
                        code = "default(" + fq + ")";
                        break;
                    case double d when double.IsNaN(d) || double.IsInfinity(d):
                        literal = d.ToString(CultureInfo.InvariantCulture);
                        code = double.IsNaN(d) ? "global::System.Double.NaN" : d > 0 ? "global::System.Double.PositiveInfinity" : "global::System.Double.NegativeInfinity";
                        code = "(" + fq + ")(" + code + ")";
                        break;
                    case float f when float.IsNaN(f) || float.IsInfinity(f):
                        literal = f.ToString(CultureInfo.InvariantCulture);
                        code = float.IsNaN(f) ? "global::System.Single.NaN" : f > 0 ? "global::System.Single.PositiveInfinity" : "global::System.Single.NegativeInfinity";
                        code = "(" + fq + ")(" + code + ")";
                        break;
                    default:
                        literal = SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false);
                        code = "(" + fq + ")(" + literal + ")";
                        break;
                }

                return new Value(ArgSource.Constant, 0, type.ToDisplayString(DisplayFormat), fq, code, literal, false);
            }

            private string UniqueName(string name)
            {
                _nameCounts.TryGetValue(name, out int count);
                _nameCounts[name] = ++count;
                return count == 1 ? name : name + "#" + count.ToString(CultureInfo.InvariantCulture);
            }

            private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params object?[] args) =>
                Add(DiagnosticInfo.Create(descriptor, node, args));

            private void Report(DiagnosticDescriptor descriptor, Location? location, params object?[] args) =>
                Add(DiagnosticInfo.Create(descriptor, location, args));

            private void AddFinding(DiagnosticInfo finding)
            {
                if (!_findings.Contains(finding))
                {
                    _findings.Add(finding);
                }
            }

            /// <summary>Adds a diagnostic once: an unrolled loop lowers its body several times.</summary>
            private void Add(DiagnosticInfo diagnostic)
            {
                if (!_diagnostics.Contains(diagnostic))
                {
                    _diagnostics.Add(diagnostic);
                }
            }

            private static int ParameterOrdinal(IMethodSymbol method, string name)
            {
                foreach (var p in method.Parameters)
                {
                    if (p.Name == name)
                    {
                        return p.Ordinal;
                    }
                }

                return int.MaxValue;
            }

            private static ExpressionSyntax Unwrap(ExpressionSyntax expression)
            {
                while (expression is ParenthesizedExpressionSyntax p)
                {
                    expression = p.Expression;
                }

                return expression;
            }

            /// <summary>The awaited expression of <c>await e</c> (parentheses and ConfigureAwait removed), else the expression unwrapped.</summary>
            private static ExpressionSyntax StripAwait(ExpressionSyntax expression) =>
                Unwrap(expression) is AwaitExpressionSyntax aw ? StripConfigureAwait(Unwrap(aw.Expression)) : Unwrap(expression);

            private static ExpressionSyntax StripConfigureAwait(ExpressionSyntax expression) =>
                expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } access }
                    ? Unwrap(access.Expression)
                    : expression;

            private bool IsWhenAll(ExpressionSyntax expression, out InvocationExpressionSyntax invocation)
            {
                invocation = null!;
                if (expression is InvocationExpressionSyntax inv
                    && _model.GetSymbolInfo(inv, _ct).Symbol is IMethodSymbol { Name: "WhenAll" } m
                    && m.ContainingType.ToDisplayString() == "System.Threading.Tasks.Task")
                {
                    invocation = inv;
                    return true;
                }

                return false;
            }

            private static SyntaxNode StatementAnchor(StatementSyntax statement) => statement switch
            {
                IfStatementSyntax s => s.IfKeyword.Parent!,
                _ => statement,
            };

            private static (string What, string Hint) DescribeStatement(StatementSyntax statement)
            {
                const string Later = "not supported in a flow; see docs/dsl.md for branches, loops and fan-out, or do it inside an operator";
                switch (statement)
                {
                    case ForStatementSyntax:
                        return ("for loop", Later);
                    case ForEachStatementSyntax:
                    case ForEachVariableStatementSyntax:
                        return ("this foreach loop", "write a fan-out, 'await Task.WhenAll(items.Select(x => Op(x)))', or a for loop with constant bounds");
                    case WhileStatementSyntax:
                        return ("while loop", Later);
                    case DoStatementSyntax:
                        return ("do loop", "write a while loop, with [Flow(MaxIterations = n)] on the flow");
                    case TryStatementSyntax:
                        return ("try statement", "errors are handled by the runtime, which fails the request naming the node; catch inside an operator");
                    case UsingStatementSyntax:
                        return ("using statement", "resources belong inside an operator");
                    case LockStatementSyntax:
                        return ("lock statement", "operators run concurrently on their devices; synchronise inside an operator");
                    case ThrowStatementSyntax:
                        return ("throw statement", "throw inside an operator; the runtime fails the request naming the node");
                    case LocalFunctionStatementSyntax:
                        return ("local function", "make it an [Operator] method of the graph");
                    case YieldStatementSyntax:
                        return ("yield statement", "flows return one result");
                    case GotoStatementSyntax:
                    case LabeledStatementSyntax:
                        return ("goto", "flows are dataflow graphs without jumps");
                    case ContinueStatementSyntax:
                        return ("continue", "guard the rest of the loop body with if/else instead");
                    case BreakStatementSyntax:
                        return ("break", Later);
                    default:
                        return (statement.Kind().ToString(), "only local declarations from operator calls, awaited calls, 'await Task.WhenAll(...)' and a final return are supported");
                }
            }

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

            internal static bool HasAttribute(ISymbol symbol, string metadataName) =>
                symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

            internal static bool IsCancellationToken(ITypeSymbol type) =>
                type.ToDisplayString() == "System.Threading.CancellationToken";

            internal static (ReturnShape Shape, ITypeSymbol? Result) Classify(ITypeSymbol returnType)
            {
                if (returnType.SpecialType == SpecialType.System_Void)
                {
                    return (ReturnShape.Void, null);
                }

                if (returnType is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
                {
                    switch (named.MetadataName)
                    {
                        case "Task":
                            return (ReturnShape.Task, null);
                        case "ValueTask":
                            return (ReturnShape.ValueTask, null);
                        case "Task`1":
                            return (ReturnShape.TaskOfT, named.TypeArguments[0]);
                        case "ValueTask`1":
                            return (ReturnShape.ValueTaskOfT, named.TypeArguments[0]);
                    }
                }

                return (ReturnShape.Value, returnType);
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
