using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators.Flow
{
    /// <summary>Locals: the value each local holds, versions of reassigned locals and their merges, and loop unrolling.</summary>
    /// <remarks>
    /// <para>
    /// <b>Versions.</b> A flow local is a name for a value; <c>x = Op(...)</c> gives it a new version, the node of that
    /// call. Paths that end with different versions (if arms, switch sections, loop exits) are joined by a merge node.
    /// </para>
    /// <para>
    /// <b>The merge invariant.</b> A merge lists its versions latest producer first (node results by descending id),
    /// flow inputs last, and at run time yields the first whose node ran. <c>GraphDefinition.CheckMergeOrder</c>
    /// (src/AgentDsl/Ir) rejects any other order, and <see cref="OrderVersions"/> is the one place that establishes it.
    /// </para>
    /// <para>
    /// <b>The unrolling invariants.</b> A loop (a constant-bound for, or a while bounded by [Flow(MaxIterations = n)],
    /// at most <see cref="MaxUnrolledIterations"/>) is lowered as copies of its body: (1) iteration k+1 is lowered as the
    /// continuation of iteration k's statements, so it carries every guard iteration k's exits left open: a break
    /// guards all later iterations, a while condition guards its own iteration and all after it; (2) every node of a copy
    /// carries its loop id, iteration and bound (<see cref="_iteration"/>), and a for counter is a constant in each copy
    /// (<see cref="_loopConstants"/>); (3) each exit (a false while condition, a break, the end of the last iteration)
    /// records the locals' versions in the <see cref="Loop"/> passed to the body's statements, and after the loop each
    /// local gets one merge of its exit versions, so along one path a later version always comes from a later node;
    /// (4) a return inside a loop is rejected (a loop has exits, not returns). Diagnostics are deduplicated (<see cref="Add"/>) because each copy lowers the same syntax.
    /// </para>
    /// </remarks>
    internal sealed partial class FlowLowerer
    {
        /// <summary>The most iterations a loop is unrolled to (each iteration copies the body's nodes).</summary>
        private const int MaxUnrolledIterations = 64;

        /// <summary>The current version of each local (operator results, inputs, constants, tasks not yet awaited).</summary>
        private readonly Dictionary<ISymbol, Value> _locals = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);

        /// <summary>Locals whose initializer failed to lower (already reported): their uses stay silent.</summary>
        private readonly HashSet<ISymbol> _failedLocals = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

        /// <summary>Locals declared without an initializer, assigned later in arms or loops: merges may concern them.</summary>
        private readonly HashSet<ISymbol> _unassigned = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

        /// <summary>The counters of the for loops being unrolled, with their value in the current copy.</summary>
        private readonly Dictionary<ISymbol, int> _loopConstants = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);

        /// <summary>Loops lowered so far: the next loop's id.</summary>
        private int _loopCount;

        /// <summary>The copy being lowered: loop id, iteration and bound; loop -1 outside loops. Every node added records it.</summary>
        private (int Loop, int Iteration, int Bound) _iteration = (-1, 0, 0);

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

        /// <summary>
        /// The innermost loop being unrolled, passed to the statements of its body (null outside loops): a break there
        /// records the locals' versions as one of its exits; a return there is rejected.
        /// </summary>
        private sealed class Loop
        {
            /// <summary>The versions of the locals at each exit found so far.</summary>
            public List<Dictionary<ISymbol, Value>> Exits { get; } = new List<Dictionary<ISymbol, Value>>();
        }

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
            var value = Eval(assignment.Right, allowPendingTask: false, EvalScope.Statement);
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
                int id = AddNode(UniqueName("merge." + local.Name), "merge", isStatic: false, kind: OperatorKind.Compute, ReturnShape.Value, display, fq, args, NoCost, at,
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

        /// <summary><c>for (int i = a; i &lt; b; i++)</c> with constant bounds, unrolled; <c>i</c> is a constant in each copy.</summary>
        private void LowerFor(ForStatementSyntax loop)
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

            LowerLoop(loop, Math.Max(0, to - from), k => _loopConstants[counter] = from + k, null);
            _loopConstants.Remove(counter);
        }

        private static bool SetInt(ref int target, int value)
        {
            target = value;
            return true;
        }

        /// <summary><c>while (cond)</c> on a bool operator result, unrolled to the flow's declared MaxIterations.</summary>
        private void LowerWhile(WhileStatementSyntax loop)
        {
            if (_maxIterations <= 0 || _maxIterations > MaxUnrolledIterations)
            {
                Report(DiagnosticDescriptors.UnsupportedFlowStatement, loop, "a while loop without a bound",
                    _maxIterations <= 0
                        ? "declare the most iterations with [Flow(MaxIterations = n)] (n from 1 to 64)"
                        : "MaxIterations is at most 64; loop inside an operator for more");
                return;
            }

            LowerLoop(loop, _maxIterations, null, loop.Condition);
        }

        /// <summary>
        /// Unrolls a bounded loop: iteration k+1 is lowered as the continuation of iteration k's body, so a break (an
        /// if arm that always breaks) guards every later iteration; a while condition guards its iteration. Afterwards
        /// each local gets a merge of its versions at the loop's exits.
        /// </summary>
        private void LowerLoop(StatementSyntax loop, int iterations, Action<int>? setCounter, ExpressionSyntax? condition)
        {
            var before = Snapshot();
            var unrolled = new Loop();
            var exits = unrolled.Exits;
            int depth = _guards.Count;
            var body = loop switch
            {
                ForStatementSyntax f => f.Statement,
                WhileStatementSyntax w => w.Statement,
                _ => loop,
            };
            IReadOnlyList<StatementSyntax> statements = body is BlockSyntax block ? block.Statements : new[] { body };
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
                    LowerStatements(statements, 0, unrolled, () => Iterate(k + 1));
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
                LowerStatements(statements, 0, unrolled, () => Iterate(k + 1));
                _guards.RemoveAt(_guards.Count - 1);
            }

            Iterate(0);
            _iteration = outerIteration;
            while (_guards.Count > depth)
            {
                _guards.RemoveAt(_guards.Count - 1);
            }

            var outer = OuterLocals(before).ToList();
            Restore(before);
            MergeVersions(outer, exits, loop);
        }

        /// <summary>
        /// <c>var (a, b) = Op(x);</c> (or <c>(var a, var b) = ...</c>, with discards): the operator's node, then one node
        /// per declared element that reads it from the tuple (no operator, no cost), so each local is a node result.
        /// </summary>
        private void LowerDeconstruction(AssignmentExpressionSyntax deconstruction)
        {
            const string Fix = "or take the tuple in one local and pass it on";
            var targets = new List<SyntaxNode>();
            if (deconstruction.Left is DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax designation })
            {
                targets.AddRange(designation.Variables);
            }
            else if (deconstruction.Left is TupleExpressionSyntax tuple)
            {
                targets.AddRange(tuple.Arguments.Select(a => a.Expression is DeclarationExpressionSyntax d ? d.Designation : (SyntaxNode)a.Expression));
            }

            // On an error, the declared locals are failed: their uses stay silent (one error for one mistake).
            void Fail()
            {
                foreach (var target in targets.OfType<SingleVariableDesignationSyntax>())
                {
                    if (_model.GetDeclaredSymbol(target, _ct) is { } failed)
                    {
                        _failedLocals.Add(failed);
                    }
                }
            }

            if (targets.Count == 0 || targets.Any(t => t is not (SingleVariableDesignationSyntax or DiscardDesignationSyntax)
                && !(t is IdentifierNameSyntax && _model.GetSymbolInfo(t, _ct).Symbol is IDiscardSymbol)))
            {
                Report(DiagnosticDescriptors.UnsupportedFlowStatement, deconstruction, deconstruction.ToString(),
                    "a tuple deconstruction in a flow declares new locals, 'var (a, b) = Op(x);' (existing locals are assigned one by one, 'a = Op(x);'), " + Fix);
                Fail();
                return;
            }

            var tupleType = _model.GetTypeInfo(deconstruction.Right, _ct).Type as INamedTypeSymbol;
            var value = Eval(deconstruction.Right, allowPendingTask: false, EvalScope.Statement);
            if (value is null)
            {
                Fail(); // Reported where it failed.
                return;
            }

            if (value.Source != ArgSource.Node || tupleType is not { IsTupleType: true } || tupleType.TupleElements.Length != targets.Count)
            {
                Report(DiagnosticDescriptors.UnsupportedFlowStatement, deconstruction, deconstruction.ToString(),
                    "a tuple deconstruction in a flow takes apart the tuple an operator call returns, 'var (a, b) = Op(x);'; have an operator return the tuple, " + Fix);
                Fail();
                return;
            }

            var source = new ArgSpec("tuple", value.TypeDisplay, value.TypeFq, ArgSource.Node, value.Index, null, null);
            for (int i = 0; i < targets.Count; i++)
            {
                if (targets[i] is not SingleVariableDesignationSyntax single || _model.GetDeclaredSymbol(single, _ct) is not ILocalSymbol local)
                {
                    continue; // A discard.
                }

                var element = tupleType.TupleElements[i].Type;
                string display = element.ToDisplayString(DisplayFormat);
                string fq = element.ToDisplayString(FqFormat);
                int id = AddNode(UniqueName(_nodes[value.Index].Name + "." + local.Name), "Item" + (i + 1).ToString(CultureInfo.InvariantCulture), isStatic: true,
                    kind: OperatorKind.Compute, ReturnShape.Value, display, fq, new List<ArgSpec> { source }, NoCost, single, n => n with { TupleItem = i + 1 });
                _locals[local] = new Value(ArgSource.Node, id, display, fq, null, null, false);
            }
        }
    }
}
