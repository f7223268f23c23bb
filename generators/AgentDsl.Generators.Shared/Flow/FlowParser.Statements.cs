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
        /// <summary>The flow parser, single statements: declarations, expression statements and returns.</summary>
        internal sealed partial class Parser
        {
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
        }
    }
}
