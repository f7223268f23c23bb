using System;
using System.Collections.Generic;
using System.Linq;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators.Flow
{
    /// <summary>Statements: statement lists and the implicit else of an exiting if, declarations, expression statements, returns, if, switch and conditions.</summary>
    internal sealed partial class FlowLowerer
    {
        /// <summary>
        /// Lowers statements[start..]. An <c>if</c> without <c>else</c> whose arm always returns puts the statements
        /// after it under the negated condition (the flow's implicit else).
        /// </summary>
        private void LowerStatements(IReadOnlyList<StatementSyntax> statements, int start, Loop? loop, Action? continuation = null)
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

                    LowerStatements(combined, 0, loop, continuation);
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
                    LowerStatement(ifs.Statement, loop);
                    var afterThen = Snapshot();
                    Restore(before);
                    if (ifs.Else != null)
                    {
                        _guards[_guards.Count - 1] = otherwise;
                        LowerStatement(ifs.Else.Statement, loop);
                    }

                    if (!thenExits)
                    {
                        Restore(afterThen); // The else exited: what follows sees the then-arm's values.
                    }

                    _guards[_guards.Count - 1] = thenExits ? otherwise : guard;
                    LowerStatements(statements, i + 1, loop, continuation);
                    _guards.RemoveAt(_guards.Count - 1);
                    return;
                }

                LowerStatement(statements[i], loop);
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

        private void LowerStatement(StatementSyntax statement, Loop? loop)
        {
            switch (statement)
            {
                case IfStatementSyntax ifs:
                    LowerIf(ifs, loop);
                    break;
                case LocalDeclarationStatementSyntax decl:
                    LowerLocalDeclaration(decl);
                    break;
                case ExpressionStatementSyntax es:
                    LowerExpressionStatement(es.Expression);
                    break;
                case ReturnStatementSyntax ret:
                    if (loop != null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowStatement, ret, "return inside a loop", "break out of the loop and return after it");
                        break;
                    }

                    if (ret.Expression != null)
                    {
                        LowerReturn(ret.Expression);
                    }

                    break;
                case BreakStatementSyntax when loop != null:
                    loop.Exits.Add(Snapshot());
                    break;
                case ForEachStatementSyntax each:
                    LowerForEach(each);
                    break;
                case ForStatementSyntax forLoop:
                    LowerFor(forLoop);
                    break;
                case SwitchStatementSyntax sw:
                    LowerSwitch(sw, loop);
                    break;
                case WhileStatementSyntax whileLoop:
                    LowerWhile(whileLoop);
                    break;
                case BlockSyntax block:
                    LowerStatements(block.Statements, 0, loop);
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

                var value = Eval(v.Initializer.Value, allowPendingTask: true, EvalScope.Statement);
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
                    var v = Eval(arg.Expression, allowPendingTask: true, EvalScope.WhenAllArgument);
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
                var discarded = Eval(inner, allowPendingTask: true, EvalScope.Statement);
                if (discarded is { Source: ArgSource.Node } && _nodes.Count > before && _nodes[discarded.Index].ResultTypeFq != null)
                {
                    AddFinding(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedResult, expression, _nodes[discarded.Index].Name, "its result is discarded"));
                }

                return;
            }

            if (inner is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: DeclarationExpressionSyntax or TupleExpressionSyntax } deconstruction)
            {
                LowerDeconstruction(deconstruction);
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

        private void LowerReturn(ExpressionSyntax expression)
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
                LowerReturn(ternary.WhenTrue);
                _guards[_guards.Count - 1] = Negate(guard);
                LowerReturn(ternary.WhenFalse);
                _guards.RemoveAt(_guards.Count - 1);
                return;
            }

            var value = Eval(expression, allowPendingTask: _allowTaskReturn, EvalScope.Statement);
            if (value is null)
            {
                return;
            }

            if (value.Source == ArgSource.Constant && _returnsValue)
            {
                value = LowerConstantReturn(expression, value);
            }

            if (value.Source == ArgSource.Node || value.Source == ArgSource.Input)
            {
                _returns.Add((new ReturnSpec(value.Source, value.Index, new List<GuardSpec>(_guards)), value));
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
            int id = AddNode(UniqueName("return " + constant.Literal), "const", isStatic: true, kind: OperatorKind.Compute, ReturnShape.Value, display, fq, args, NoCost, expression,
                n => n with { IsConstant = true });
            return new Value(ArgSource.Node, id, display, fq, null, null, false);
        }

        private void LowerIf(IfStatementSyntax ifs, Loop? loop)
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
            LowerStatement(ifs.Statement, loop);
            _guards.RemoveAt(_guards.Count - 1);
            var afterThen = Snapshot();
            Restore(before);
            if (ifs.Else != null)
            {
                _guards.Add(Negate(guard));
                LowerStatement(ifs.Else.Statement, loop);
                _guards.RemoveAt(_guards.Count - 1);
            }

            var afterElse = Snapshot();
            var outer = OuterLocals(before).ToList();
            Restore(before);

            // A local either arm reassigned: merge the arms' versions (the pre-if value when an arm kept it).
            MergeVersions(outer, new[] { afterThen, afterElse, before }, ifs);
        }

        /// <summary>
        /// <c>switch</c> on an operator result (or parameter) with one constant label per section: a case-test node per
        /// label (value == constant), each section guarded by its test and the failed tests before it, default by all
        /// failed. Every section ends in break, or every section (with a default) returns.
        /// </summary>
        private void LowerSwitch(SwitchStatementSyntax sw, Loop? loop)
        {
            const string Shape = "a flow's switch has one constant label per section (case X: or default:) and ends each section with break, or returns from every section";
            var value = Eval(sw.Expression, allowPendingTask: false, EvalScope.Statement);
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
                int id = AddNode(UniqueName("case " + label), "==", isStatic: true, kind: OperatorKind.Compute, ReturnShape.Value, "bool", "bool", args, NoCost, label,
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

                LowerStatements(body, 0, loop);
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

            var value = Eval(expr, allowPendingTask: false, EvalScope.Statement);
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
    }
}
