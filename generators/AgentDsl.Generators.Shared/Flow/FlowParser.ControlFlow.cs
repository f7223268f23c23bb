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
    sealed partial class FlowGraphGenerator
    {
        /// <summary>The flow parser, control flow: statement lists, fall-through, merges of reassigned locals, switch, loops, conditions and if.</summary>
        internal sealed partial class Parser
        {
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
        }
    }
}
