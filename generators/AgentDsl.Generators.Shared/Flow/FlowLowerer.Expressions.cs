using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AgentDsl.Generators.Flow
{
    /// <summary>Expressions: operand values, operator and nested-flow calls, constants and the syntax helpers they share.</summary>
    internal sealed partial class FlowLowerer
    {
        /// <summary>
        /// Lowers an operand: an awaited or direct operator call, a fan-out, a local's current version, the fan-out
        /// element, a flow parameter, the flow's CancellationToken or a constant. Anything else is reported (null).
        /// </summary>
        private Value? Eval(ExpressionSyntax expression, bool allowPendingTask, EvalScope scope)
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
                        return LowerFanOut(mapped, aw, isAsync: true, scope);
                    }

                    if (IsWhenAll(operand, out _))
                    {
                        Report(DiagnosticDescriptors.UnsupportedFlowExpression, aw, aw.ToString(), "use 'await Task.WhenAll(...)' as a statement, then 'await' each task for its result");
                        return null;
                    }

                    var v = Eval(operand, allowPendingTask: true, scope);
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
                    return LowerFanOut(selected, toArray, isAsync: false, scope);

                case InvocationExpressionSyntax invocation:
                {
                    var v = LowerCall(invocation, scope);
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
                if (!scope.InWhenAll)
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

            if (symbol != null && scope.Element != null && SymbolEqualityComparer.Default.Equals(symbol, scope.Element))
            {
                return new Value(ArgSource.Element, 0, scope.ElementDisplay!, scope.ElementFq!, null, null, false);
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
                : ComputedValueHint(expr);
            Report(DiagnosticDescriptors.UnsupportedFlowExpression, expr, expr.ToString(), hint);
            return null;
        }

        /// <summary>ADSL0002's hint for a value computed in the flow, by where the user wrote it: a return, a local's initializer or an operator argument.</summary>
        private static string ComputedValueHint(ExpressionSyntax expr)
        {
            var parent = expr.Parent;
            while (parent is ParenthesizedExpressionSyntax or ConditionalExpressionSyntax or AwaitExpressionSyntax)
            {
                parent = parent.Parent;
            }

            return parent switch
            {
                ReturnStatementSyntax or ArrowExpressionClauseSyntax =>
                    "the return value is an operator result, a flow parameter or a constant; compute it inside an operator and return that operator's result",
                EqualsValueClauseSyntax =>
                    "a flow local holds an operator result ('var a = Op(x);'), a flow parameter or a constant; compute anything else inside an operator",
                _ => "an operator argument is a flow parameter, a local holding an operator result, a constant, the flow's CancellationToken or an operator call; compute anything else inside an operator",
            };
        }

        private Value? LowerCall(InvocationExpressionSyntax invocation, EvalScope scope)
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

            if (info is null && method.MethodKind == MethodKind.LocalFunction
                && method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_ct) is LocalFunctionStatementSyntax declaration)
            {
                // The error is the local function's declaration (ADSL0001, reported once even if the statement is lowered
                // too): one error for one mistake, wherever the declaration sits.
                var (what, hint) = DescribeStatement(declaration);
                Report(DiagnosticDescriptors.UnsupportedFlowStatement, StatementAnchor(declaration), what, hint);
                return null;
            }

            if (info is null && FirstUnsupportedLinqCall(invocation) is { } linq)
            {
                // xs.Where(...).ToArray(): name the chain and the call in it a flow does not lower, not the last call.
                Report(DiagnosticDescriptors.UnsupportedFlowExpression, invocation, invocation.ToString(),
                    "'" + linq + "' is LINQ a flow does not lower; the one LINQ form in a flow is a fan-out, 'items.Select(x => Op(x)).ToArray()' "
                    + "(or 'await Task.WhenAll(items.Select(x => Op(x)))'); filter with a foreach and an if, or inside an operator");
                return null;
            }

            if (info is null)
            {
                Report(DiagnosticDescriptors.NotAnOperator, invocation, method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), _graphType.Name, NotAnOperatorHint(method));
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

                var value = Eval(argSyntax.Expression, allowPendingTask: false, scope);
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

        /// <summary>
        /// For a call chain with LINQ (<c>xs.Where(...).ToArray()</c>): the innermost LINQ call that is not the fan-out's
        /// Select, as written (<c>Where</c>); null when the call is not on a LINQ chain.
        /// </summary>
        private string? FirstUnsupportedLinqCall(InvocationExpressionSyntax invocation)
        {
            string? first = null;
            bool chain = false;
            for (ExpressionSyntax? e = invocation; e is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } call; e = access.Expression)
            {
                if (_model.GetSymbolInfo(call, _ct).Symbol is not IMethodSymbol { ReducedFrom: not null } method
                    || method.ContainingType.ToDisplayString() != "System.Linq.Enumerable")
                {
                    break;
                }

                chain |= call != invocation;
                if (access.Name.Identifier.ValueText != "Select")
                {
                    first = access.Name.Identifier.ValueText;
                }
            }

            return chain ? first : null;
        }

        /// <summary>
        /// What an expression is lowered within, passed down from the statement through calls and their arguments
        /// (never kept in a field): the element of the fan-out or foreach whose operator call it belongs to (read as an
        /// <see cref="ArgSource.Element"/> argument), and whether it is an argument of <c>Task.WhenAll</c>, where a local
        /// holding a task is awaited, not read (so it does not count as a use of the local's result).
        /// </summary>
        private readonly struct EvalScope
        {
            private EvalScope(ISymbol? element, string? elementDisplay, string? elementFq, bool inWhenAll)
            {
                Element = element;
                ElementDisplay = elementDisplay;
                ElementFq = elementFq;
                InWhenAll = inWhenAll;
            }

            /// <summary>A statement's own expression: no element, not under Task.WhenAll.</summary>
            public static EvalScope Statement => default;

            /// <summary>An argument of <c>await Task.WhenAll(...)</c> as a statement.</summary>
            public static EvalScope WhenAllArgument => new EvalScope(null, null, null, inWhenAll: true);

            /// <summary>The fan-out's lambda parameter or the foreach variable; null outside a fan-out's call.</summary>
            public ISymbol? Element { get; }

            public string? ElementDisplay { get; }

            public string? ElementFq { get; }

            public bool InWhenAll { get; }

            /// <summary>This scope for the operator call of a fan-out over elements <paramref name="element"/> of <paramref name="type"/>.</summary>
            public EvalScope WithElement(ISymbol element, ITypeSymbol type) =>
                new EvalScope(element, type.ToDisplayString(DisplayFormat), type.ToDisplayString(FqFormat), InWhenAll);
        }
    }
}
