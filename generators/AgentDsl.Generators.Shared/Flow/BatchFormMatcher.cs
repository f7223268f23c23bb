using System.Linq;
using Microsoft.CodeAnalysis;

namespace AgentDsl.Generators.Flow
{
    /// <summary>
    /// The batch form of a batchable operator: an overload of the same name (not itself an operator) taking
    /// <c>IReadOnlyList&lt;TInput&gt;</c> of the operator's single input, optionally a CancellationToken, and returning
    /// <c>TResult[]</c> or <c>IReadOnlyList&lt;TResult&gt;</c>, directly or in a Task / ValueTask. Shared by the
    /// generator (which emits it) and the analyzer (which explains a near miss).
    /// </summary>
    internal static class BatchFormMatcher
    {
        /// <summary>Whether <paramref name="candidate"/> is meant as a batch form of <paramref name="op"/>: same name, a read-only list first.</summary>
        public static bool LooksLikeBatchForm(IMethodSymbol op, IMethodSymbol candidate) =>
            !SymbolEqualityComparer.Default.Equals(op, candidate)
            && candidate.Name == op.Name
            && candidate.MethodKind == MethodKind.Ordinary
            && candidate.Parameters.Length >= 1
            && ElementOfReadOnlyList(candidate.Parameters[0].Type) != null;

        /// <summary>Null when <paramref name="candidate"/> is a batch form of <paramref name="op"/>; otherwise why it is not.</summary>
        public static string? Mismatch(IMethodSymbol op, IMethodSymbol candidate)
        {
            var inputs = op.Parameters.Where(p => !FlowLowerer.IsCancellationToken(p.Type)).ToList();
            var (_, result) = FlowLowerer.Classify(op.ReturnType);
            if (inputs.Count != 1 || result == null)
            {
                return "operator '" + op.Name + "' must take exactly one input (besides a CancellationToken) and return a value to be batched";
            }

            if (candidate.IsGenericMethod || candidate.Parameters.Any(p => p.RefKind != RefKind.None))
            {
                return "a batch form is not generic and takes its parameters by value";
            }

            var element = ElementOfReadOnlyList(candidate.Parameters[0].Type);
            if (element == null || !SymbolEqualityComparer.Default.Equals(element, inputs[0].Type))
            {
                return "its first parameter must be IReadOnlyList<" + inputs[0].Type.ToDisplayString() + ">";
            }

            if (candidate.Parameters.Length > 2 || (candidate.Parameters.Length == 2 && !FlowLowerer.IsCancellationToken(candidate.Parameters[1].Type)))
            {
                return "after the list it may only take a CancellationToken";
            }

            var (shape, returned) = FlowLowerer.Classify(candidate.ReturnType);
            bool oneResultEach = returned is IArrayTypeSymbol { Rank: 1 } array && SymbolEqualityComparer.Default.Equals(array.ElementType, result)
                || (returned != null && SymbolEqualityComparer.Default.Equals(ElementOfReadOnlyList(returned), result));
            if (!oneResultEach)
            {
                string r = result.ToDisplayString();
                return "it must return " + r + "[] or IReadOnlyList<" + r + "> (directly or in a Task or ValueTask), one result per input";
            }

            return null;
        }

        private static ITypeSymbol? ElementOfReadOnlyList(ITypeSymbol type) =>
            type is INamedTypeSymbol { IsGenericType: true } named && named.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IReadOnlyList<T>"
                ? named.TypeArguments[0]
                : null;
    }
}
