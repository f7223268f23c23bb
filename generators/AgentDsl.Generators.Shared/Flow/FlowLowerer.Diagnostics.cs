using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Helpers;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators.Flow
{
    /// <summary>Diagnostics: reporting (each once, though an unrolled loop lowers its body several times), the analyzers' findings and the message builders.</summary>
    internal sealed partial class FlowLowerer
    {
        /// <summary>Errors of the lowering, each once: FlowAnalyzer reports them (the generator does not: see docs/diagnostics.md).</summary>
        private readonly List<DiagnosticInfo> _diagnostics = new List<DiagnosticInfo>();

        /// <summary>
        /// Errors at a construct the C# compiler already reports an error in (a call that does not bind, an argument of the
        /// wrong type): not reported, since they follow from the C# error and would only hide it, but the flow is not lowered.
        /// </summary>
        private readonly List<DiagnosticInfo> _afterCompilerErrors = new List<DiagnosticInfo>();

        /// <summary>Graph warnings (ADSL0005, ADSL0006): the analyzers report them, the generator ignores them.</summary>
        private readonly List<DiagnosticInfo> _findings = new List<DiagnosticInfo>();

        // What the findings are made of: locals declared from an operator call (with the node), locals read, operators called.
        private readonly List<(ISymbol Local, VariableDeclaratorSyntax Syntax, string Node)> _declared = new List<(ISymbol, VariableDeclaratorSyntax, string)>();
        private readonly HashSet<ISymbol> _usedLocals = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        private readonly HashSet<IMethodSymbol> _calledOperators = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

        private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params object?[] args) =>
            Add(DiagnosticInfo.Create(descriptor, node, args));

        private void Report(DiagnosticDescriptor descriptor, Location? location, params object?[] args) =>
            Add(DiagnosticInfo.Create(descriptor, location, args));

        /// <summary>
        /// Adds a diagnostic once (an unrolled loop lowers its body several times), and not at all where its span holds a
        /// C# error: an ADSL error is never the consequence of a compiler error.
        /// </summary>
        private void Add(DiagnosticInfo diagnostic)
        {
            if (_diagnostics.Contains(diagnostic) || _afterCompilerErrors.Contains(diagnostic))
            {
                return;
            }

            (HasCompilerError(diagnostic.Location) ? _afterCompilerErrors : _diagnostics).Add(diagnostic);
        }

        /// <summary>Whether the C# compiler reports an error inside <paramref name="location"/> (in the flow's file): <see cref="CompilerErrors"/>.</summary>
        private bool HasCompilerError(LocationInfo? location) =>
            location is not null
            && location.FilePath == _model.SyntaxTree.FilePath
            && CompilerErrors.Within(_model, location.Span, _ct);

        /// <summary>The lowering's errors, reported or not, as "ADSL0002: message" for the generated members that throw.</summary>
        private EquatableArray<string> ErrorMessages() =>
            new EquatableArray<string>(_diagnostics.Concat(_afterCompilerErrors)
                .Select(d => d.Descriptor.Id + ": " + d.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture)));

        private void AddFinding(DiagnosticInfo finding)
        {
            if (!_findings.Contains(finding))
            {
                _findings.Add(finding);
            }
        }

        /// <summary>Graph findings for the analyzers: locals holding a result nobody reads, operators no flow calls.</summary>
        private void CollectFindings()
        {
            if (_diagnostics.Count > 0 || _afterCompilerErrors.Count > 0)
            {
                return; // A flow that did not lower says nothing reliable about what it reads and calls.
            }

            var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var (local, syntax, node) in _declared)
            {
                if (!_usedLocals.Contains(local) && reported.Add(local))
                {
                    AddFinding(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedResult, syntax, node, $"the local '{local.Name}' is never read"));
                }
            }

            foreach (var op in _operators.Keys)
            {
                if (!_calledOperators.Contains(op))
                {
                    _findings.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnreachableOperator, op.Locations.FirstOrDefault(), op.Name, _graphType.Name));
                }
            }
        }

        private static SyntaxNode StatementAnchor(StatementSyntax statement) => statement switch
        {
            IfStatementSyntax s => s.IfKeyword.Parent!,
            _ => statement,
        };

        /// <summary>ADSL0003's hint for a call of <paramref name="method"/>, which is neither an operator nor a nested graph's flow.</summary>
        private string NotAnOperatorHint(IMethodSymbol method) =>
            HasAttribute(method, KnownTypeNames.FlowAttribute)
                ? SymbolEqualityComparer.Default.Equals(method.ContainingType, _graphType)
                    ? "a flow cannot call itself: a graph is a finite DAG"
                    : "the flow's class is not an [AgentGraph] (or is generic or not partial)"
                : HasAttribute(method, KnownTypeNames.KernelAttribute)
                    ? "kernels are launched from inside an operator, not from a flow"
                    : SymbolEqualityComparer.Default.Equals(method.ContainingType, _graphType)
                        ? "mark it [Operator] to make it a node, or call it inside an operator"
                        : "only [Operator] methods of the graph class are nodes; call other code inside an operator";

        /// <summary>ADSL0001's construct and hint for a statement the lowering does not support.</summary>
        private static (string What, string Hint) DescribeStatement(StatementSyntax statement)
        {
            const string Later = "not supported in a flow; see docs/dsl.md for branches, loops and fan-out, or do it inside an operator";
            switch (statement)
            {
                case ForStatementSyntax:
                    return ("for loop", Later);
                case ForEachVariableStatementSyntax:
                    return ("foreach with a deconstructed element", "write 'foreach (var x in items)' and pass x to the operator, which takes the tuple apart");
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
                case LocalFunctionStatementSyntax local:
                    return ("local function " + local.Identifier.ValueText, "a local function cannot be an operator; move it to a method of the graph class marked [Operator]");
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
    }
}
