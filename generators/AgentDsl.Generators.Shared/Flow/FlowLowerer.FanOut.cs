using System.Collections.Generic;
using System.Linq;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators.Flow
{
    /// <summary>Fan-outs: <c>Select</c> over a collection, <c>foreach</c> for side effects and the <c>List</c> collectors a foreach fills.</summary>
    internal sealed partial class FlowLowerer
    {
        /// <summary>Locals declared as an empty List, which a foreach may fill with an operator's results, with their type (fully qualified).</summary>
        private readonly Dictionary<ISymbol, string> _collectors = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);

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
        private Value? LowerFanOut(InvocationExpressionSyntax select, ExpressionSyntax whole, bool isAsync, EvalScope scope)
        {
            const string Shape = "a fan-out is 'await Task.WhenAll(items.Select(x => Op(x, ...)))' for an operator returning Task<T>, or 'items.Select(x => Op(x, ...)).ToArray()' for one returning T, where items is an operator result or a flow parameter";
            var access = (MemberAccessExpressionSyntax)select.Expression;
            var lambdaSyntax = select.ArgumentList.Arguments[0].Expression;
            var collection = Eval(access.Expression, allowPendingTask: false, scope);
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
            var value = LowerCall(call, scope.WithElement(elementSymbol, elementSymbol.Type));
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
            if (each.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword))
            {
                Report(DiagnosticDescriptors.UnsupportedFlowStatement, each, "await foreach",
                    "a fan-out needs all its elements when it starts; have an operator return them as an array or list and 'foreach (var x in items) { await Op(x); }' over that, or consume the stream inside an operator");
                return;
            }

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
                Report(DiagnosticDescriptors.UnsupportedFlowStatement, each.ForEachKeyword.Parent!, "foreach whose body is not one operator call on the element", Shape);
                return;
            }

            var collection = Eval(each.Expression, allowPendingTask: false, EvalScope.Statement);
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
            var value = LowerCall(call, EvalScope.Statement.WithElement(elementSymbol, elementSymbol.Type));
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
    }
}
