using System.Collections.Generic;
using System.Globalization;
using AgentDsl.Kernels;
using Microsoft.CodeAnalysis;

namespace AgentDsl.Generators.Kernels
{
    /// <summary>Type and identifier mappings from C# to OpenCL C 1.2.</summary>
    internal static class OpenClNames
    {
        /// <summary>Identifiers that are keywords, types or built-ins in OpenCL C; C# names that collide get a trailing underscore.</summary>
        private static readonly HashSet<string> Reserved = new HashSet<string>
        {
            "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto",
            "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
            "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "half", "uchar", "ushort", "uint", "ulong",
            "size_t", "ptrdiff_t", "intptr_t", "uintptr_t", "event_t", "sampler_t", "image1d_t", "image2d_t", "image3d_t",
            "kernel", "__kernel", "global", "__global", "local", "__local", "constant", "__constant", "private", "__private",
            "read_only", "write_only", "read_write", "complex", "imaginary", "attribute", "packed", "vec_type_hint", "reqd_work_group_size",
            "get_global_id", "get_local_id", "get_group_id", "get_global_size", "get_local_size", "get_num_groups", "get_work_dim",
            "barrier", "mem_fence", "sqrt", "cbrt", "exp", "exp2", "log", "log2", "log10", "pow", "sin", "cos", "tan", "asin", "acos", "atan",
            "atan2", "sinh", "cosh", "tanh", "floor", "ceil", "trunc", "rint", "round", "fabs", "abs", "min", "max", "fmin", "fmax", "fma", "mad",
            "clamp", "mix", "step", "sign", "select", "dot", "cross", "length", "distance", "normalize", "isnan", "isinf", "isfinite",
            "copysign", "fmod", "remainder", "signbit", "convert", "as_int", "as_float", "NAN", "INFINITY", "MAXFLOAT", "main",
        };

        public static string Identifier(string name) => Reserved.Contains(name) || name.StartsWith("adsl_", System.StringComparison.Ordinal) ? name + "_" : name;

        public static string LengthOf(string bufferName) => Identifier(bufferName) + "__length";

        /// <summary>The OpenCL C type of a C# scalar type, or null when kernels cannot use it.</summary>
        public static string? Scalar(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Int32: return "int";
                case SpecialType.System_UInt32: return "uint";
                case SpecialType.System_Int64: return "long";
                case SpecialType.System_UInt64: return "ulong";
                case SpecialType.System_Single: return "float";
                case SpecialType.System_Double: return "double";
                case SpecialType.System_Boolean: return "bool";
                case SpecialType.System_Int16: return "short";
                case SpecialType.System_UInt16: return "ushort";
                case SpecialType.System_Byte: return "uchar";
                case SpecialType.System_SByte: return "char";
            }

            return IsHalf(type) ? "half" : null;
        }

        /// <summary>The kernel scalar type of a parameter or element type, or null when kernels do not accept it.</summary>
        public static KernelScalarType? ScalarType(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Int32: return KernelScalarType.Int32;
                case SpecialType.System_UInt32: return KernelScalarType.UInt32;
                case SpecialType.System_Int64: return KernelScalarType.Int64;
                case SpecialType.System_UInt64: return KernelScalarType.UInt64;
                case SpecialType.System_Single: return KernelScalarType.Single;
                case SpecialType.System_Double: return KernelScalarType.Double;
            }

            return IsHalf(type) ? KernelScalarType.Half : (KernelScalarType?)null;
        }

        public static bool IsHalf(ITypeSymbol type) => type.Name == "Half" && type.ContainingNamespace?.ToDisplayString() == "System";

        public static bool IsFloating(ITypeSymbol type) =>
            type.SpecialType == SpecialType.System_Single || type.SpecialType == SpecialType.System_Double || IsHalf(type);

        public static bool IsSignedInteger(ITypeSymbol type) =>
            type.SpecialType == SpecialType.System_Int32 || type.SpecialType == SpecialType.System_Int64;

        public static string UnsignedOf(ITypeSymbol type) => type.SpecialType == SpecialType.System_Int64 ? "ulong" : "uint";

        /// <summary>Span&lt;T&gt; (false) or ReadOnlySpan&lt;T&gt; (true), with its element type; null otherwise.</summary>
        public static (ITypeSymbol Element, bool ReadOnly)? Span(ITypeSymbol type)
        {
            if (type is INamedTypeSymbol { IsGenericType: true } named && named.ContainingNamespace?.ToDisplayString() == "System"
                && (named.Name == "Span" || named.Name == "ReadOnlySpan"))
            {
                return (named.TypeArguments[0], named.Name == "ReadOnlySpan");
            }

            return null;
        }

        /// <summary>A C literal of <paramref name="value"/> as OpenCL type <paramref name="clType"/>, exact.</summary>
        public static string Literal(object? value, ITypeSymbol type)
        {
            switch (value)
            {
                case bool b: return b ? "true" : "false";
                case int i: return i == int.MinValue ? "(-2147483647 - 1)" : i.ToString(CultureInfo.InvariantCulture);
                case uint u: return u.ToString(CultureInfo.InvariantCulture) + "u";
                case long l: return l == long.MinValue ? "(-9223372036854775807L - 1L)" : l.ToString(CultureInfo.InvariantCulture) + "L";
                case ulong ul: return ul.ToString(CultureInfo.InvariantCulture) + "UL";
                case short s: return "((short)" + s.ToString(CultureInfo.InvariantCulture) + ")";
                case ushort us: return "((ushort)" + us.ToString(CultureInfo.InvariantCulture) + ")";
                case byte by: return "((uchar)" + by.ToString(CultureInfo.InvariantCulture) + ")";
                case sbyte sb: return "((char)" + sb.ToString(CultureInfo.InvariantCulture) + ")";
                case float f:
                    if (float.IsNaN(f)) return "adsl_nan_f()"; // see OpenClTranslator.NaNPrelude
                    if (float.IsPositiveInfinity(f)) return "INFINITY";
                    if (float.IsNegativeInfinity(f)) return "(-INFINITY)";
                    return WithPoint(f.ToString("R", CultureInfo.InvariantCulture)) + "f";
                case double d:
                    if (double.IsNaN(d)) return "adsl_nan_d()";
                    if (double.IsPositiveInfinity(d)) return "((double)INFINITY)";
                    if (double.IsNegativeInfinity(d)) return "(-(double)INFINITY)";
                    return WithPoint(d.ToString("R", CultureInfo.InvariantCulture));
            }

            return null!;
        }

        private static string WithPoint(string text)
        {
            if (text.IndexOf('.') >= 0 || text.IndexOf('E') >= 0 || text.IndexOf('e') >= 0)
            {
                return text;
            }

            return text + ".0";
        }
    }
}
