using System.Linq;
using Microsoft.CodeAnalysis;

namespace AgentDsl.Analyzers
{
    /// <summary>
    /// Which parameter types let an operator change the collection it is given (ADSL0007): arrays, <c>Memory&lt;T&gt;</c>,
    /// <c>StringBuilder</c> and every type that is or implements <c>ICollection&lt;T&gt;</c>, <c>IList</c> or <c>IDictionary</c>
    /// (<c>List&lt;T&gt;</c>, <c>Dictionary</c>, <c>HashSet&lt;T&gt;</c>, <c>IList&lt;T&gt;</c>, …), except the read-only and
    /// immutable ones (<c>System.Collections.Immutable</c>, <c>System.Collections.Frozen</c>, <c>ReadOnlyCollection&lt;T&gt;</c> and
    /// its kin). <c>IEnumerable&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>, <c>IReadOnlyDictionary</c>, <c>string</c> and other
    /// types are read-only as far as this rule goes: plain classes with setters are not collections and are not checked.
    /// </summary>
    internal static class MutableTypes
    {
        /// <summary>
        /// Whether an operator can change a value of type <paramref name="valueType"/> (null when unknown) through its
        /// parameter of type <paramref name="parameterType"/>: the parameter's type allows it and the value is not of an
        /// immutable type that only looks mutable through an interface (an ImmutableArray passed as IList&lt;T&gt;).
        /// </summary>
        public static bool CanChangeThrough(ITypeSymbol parameterType, ITypeSymbol? valueType) =>
            IsMutable(parameterType) && (valueType is null || !IsReadOnly(valueType));

        /// <summary>Whether <paramref name="type"/> has members that change the collection (see the class remarks).</summary>
        public static bool IsMutable(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol)
            {
                return true;
            }

            if (type is not INamedTypeSymbol named || IsReadOnly(named))
            {
                return false;
            }

            string ns = named.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            if ((ns == "System.Text" && named.MetadataName == "StringBuilder") || (ns == "System" && named.MetadataName == "Memory`1"))
            {
                return true;
            }

            return new[] { named }.Concat(named.AllInterfaces).Any(IsMutatingInterface);
        }

        /// <summary>Immutable and read-only collection types, whatever interfaces they implement (their mutators throw).</summary>
        private static bool IsReadOnly(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_String)
            {
                return true;
            }

            string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            return ns == "System.Collections.Immutable" || ns == "System.Collections.Frozen"
                || (ns == "System.Collections.ObjectModel" && type.Name.StartsWith("ReadOnly", System.StringComparison.Ordinal));
        }

        private static bool IsMutatingInterface(INamedTypeSymbol type)
        {
            if (type.TypeKind != TypeKind.Interface)
            {
                return false;
            }

            string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            return (ns == "System.Collections.Generic" && type.MetadataName == "ICollection`1")
                || (ns == "System.Collections" && (type.MetadataName == "IList" || type.MetadataName == "IDictionary"));
        }
    }
}
