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
        /// <summary>The flow parser, support: findings, constants, names, diagnostics, syntax helpers and type classification.</summary>
        internal sealed partial class Parser
        {
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
        }
    }
}
