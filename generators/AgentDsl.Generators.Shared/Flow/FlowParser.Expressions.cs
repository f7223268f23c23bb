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
        /// <summary>The flow parser, expressions: operator calls, nested flows, fan-outs, foreach collectors and the nodes they add.</summary>
        internal sealed partial class Parser
        {
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
        }
    }
}
