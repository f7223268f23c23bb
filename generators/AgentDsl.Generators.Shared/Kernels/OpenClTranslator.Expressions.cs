using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AgentDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentDsl.Generators.Kernels
{
    internal sealed partial class OpenClTranslator
    {
        private string Expression(IOperation op)
        {
            _ct.ThrowIfCancellationRequested();
            Track(op.Type);
            if (op.ConstantValue.HasValue && op.Type != null && !(op is IAssignmentOperation))
            {
                string? literal = OpenClNames.Literal(op.ConstantValue.Value, op.Type);
                if (literal != null)
                {
                    if (literal.StartsWith("adsl_nan_", System.StringComparison.Ordinal))
                    {
                        NaNPrelude(literal);
                    }

                    return literal.StartsWith("-", System.StringComparison.Ordinal) ? "(" + literal + ")" : literal;
                }
            }

            switch (op)
            {
                case ILocalReferenceOperation local:
                    return OpenClNames.Identifier(local.Local.Name);

                case IParameterReferenceOperation parameter:
                    if (OpenClNames.Span(parameter.Type!) != null)
                    {
                        Unsupported(op, parameter.Parameter.Name, "a buffer is used by indexing it ('buffer[i]') or reading 'buffer.Length'");
                    }

                    return OpenClNames.Identifier(parameter.Parameter.Name);

                case IPropertyReferenceOperation property:
                    return Property(property);

                case IBinaryOperation binary:
                    return Binary(binary);

                case IUnaryOperation unary:
                    return Unary(unary);

                case IConversionOperation conversion:
                    return Conversion(conversion);

                case IConditionalOperation conditional when conditional.WhenFalse != null:
                    return "(" + Expression(conditional.Condition) + " ? " + Expression(conditional.WhenTrue) + " : " + Expression(conditional.WhenFalse) + ")";

                case ISimpleAssignmentOperation assignment:
                    return Expression(assignment.Target) + " = " + Expression(assignment.Value);

                case ICompoundAssignmentOperation compound:
                    if ((compound.InConversion.Exists && !compound.InConversion.IsIdentity) || (compound.OutConversion.Exists && !compound.OutConversion.IsIdentity))
                    {
                        // e.g. 'int += long' does not compile; narrowing compound forms (short += 1) are rare: spell them out.
                        Unsupported(op, op.Syntax.ToString(), "write the conversion explicitly: x = (T)(x op y)");
                        return "0";
                    }

                    if (compound.IsChecked)
                    {
                        Unsupported(op, "checked arithmetic", "kernels wrap on overflow like unchecked C#");
                        return "0";
                    }

                    if (compound.OperatorKind == BinaryOperatorKind.Remainder && OpenClNames.IsFloating(compound.Target.Type!))
                    {
                        string target = Expression(compound.Target);
                        return target + " = fmod(" + target + ", " + Expression(compound.Value) + ")";
                    }

                    return Expression(compound.Target) + " " + CompoundToken(compound.OperatorKind, op) + "= " + Expression(compound.Value);

                case IIncrementOrDecrementOperation increment:
                {
                    string token = increment.Kind == OperationKind.Increment ? "++" : "--";
                    string target = Expression(increment.Target);
                    return increment.IsPostfix ? target + token : token + target;
                }

                case IInvocationOperation invocation:
                    return Invocation(invocation);

                case IDefaultValueOperation when op.Type != null:
                    return "((" + TypeName(op.Type, op.Syntax.GetLocation()) + ")0)";

                case IParenthesizedOperation parenthesized:
                    return "(" + Expression(parenthesized.Operand) + ")";

                case IFieldReferenceOperation field:
                    Unsupported(op, field.Field.Name, "kernels read constants (const fields) but not fields; pass the value as a scalar parameter");
                    return "0";

                case IArrayElementReferenceOperation:
                case IArrayCreationOperation:
                    Unsupported(op, "array", "kernels use Span<T>/ReadOnlySpan<T> parameters and Group.Local<T>(n)");
                    return "0";

                case IAnonymousFunctionOperation:
                    Unsupported(op, "lambda", "write a static [KernelHelper] method");
                    return "0";

                case IObjectCreationOperation:
                    Unsupported(op, "new", "kernels allocate nothing; use scalars, parameters and Group.Local<T>(n)");
                    return "0";

                default:
                    Unsupported(op, Describe(op), "kernels support arithmetic, comparison, logical and bitwise operators, casts, ?:, buffer indexing, Math/MathF functions and [KernelHelper] calls");
                    return "0";
            }
        }

        private string Property(IPropertyReferenceOperation property)
        {
            var owner = property.Instance;
            if (owner?.Type != null && OpenClNames.Span(owner.Type) != null)
            {
                if (property.Property.IsIndexer && property.Arguments.Length == 1)
                {
                    return SpanName(owner) + "[" + Expression(property.Arguments[0].Value) + "]";
                }

                if (property.Property.Name == "Length")
                {
                    if (owner is IParameterReferenceOperation p)
                    {
                        return OpenClNames.LengthOf(p.Parameter.Name);
                    }

                    Unsupported(property, "Length of local memory", "use the constant you allocated it with");
                    return "0";
                }
            }

            Unsupported(property, property.Property.Name, "kernels read buffer elements and buffer.Length; pass other values as parameters");
            return "0";
        }

        private string SpanName(IOperation owner) => owner switch
        {
            IParameterReferenceOperation p => OpenClNames.Identifier(p.Parameter.Name),
            ILocalReferenceOperation l => OpenClNames.Identifier(l.Local.Name),
            _ => Unknown(owner),
        };

        private string Binary(IBinaryOperation binary)
        {
            if (binary.IsChecked)
            {
                Unsupported(binary, "checked arithmetic", "kernels wrap on overflow like unchecked C#");
                return "0";
            }

            if (binary.OperatorMethod != null && !OpenClNames.IsHalf(binary.OperatorMethod.ContainingType))
            {
                Unsupported(binary, binary.OperatorMethod.ToDisplayString(), "user-defined operators are not supported in kernels");
                return "0";
            }

            var type = binary.LeftOperand.Type!;
            string left = Expression(binary.LeftOperand);
            string right = Expression(binary.RightOperand);
            switch (binary.OperatorKind)
            {
                case BinaryOperatorKind.Add:
                case BinaryOperatorKind.Subtract:
                case BinaryOperatorKind.Multiply:
                    string token = binary.OperatorKind == BinaryOperatorKind.Add ? "+" : binary.OperatorKind == BinaryOperatorKind.Subtract ? "-" : "*";
                    if (OpenClNames.IsSignedInteger(binary.Type!))
                    {
                        // C# wraps signed overflow (unchecked); in C it is undefined: compute in the unsigned type.
                        string clType = OpenClNames.Scalar(binary.Type!)!;
                        string unsigned = OpenClNames.UnsignedOf(binary.Type!);
                        return "((" + clType + ")((" + unsigned + ")" + left + " " + token + " (" + unsigned + ")" + right + "))";
                    }

                    return "(" + left + " " + token + " " + right + ")";
                case BinaryOperatorKind.Divide:
                    return "(" + left + " / " + right + ")";
                case BinaryOperatorKind.Remainder:
                    return OpenClNames.IsFloating(type) ? "fmod(" + left + ", " + right + ")" : "(" + left + " % " + right + ")";
                case BinaryOperatorKind.LeftShift:
                    if (OpenClNames.IsSignedInteger(binary.Type!))
                    {
                        // Shifting into or out of the sign bit is undefined for signed types in C: shift the unsigned bits.
                        return "((" + OpenClNames.Scalar(binary.Type!) + ")((" + OpenClNames.UnsignedOf(binary.Type!) + ")" + left + " << " + right + "))";
                    }

                    return "(" + left + " << " + right + ")";
                case BinaryOperatorKind.RightShift:
                    return "(" + left + " >> " + right + ")";
                case BinaryOperatorKind.UnsignedRightShift:
                {
                    string clType = OpenClNames.Scalar(binary.Type!)!;
                    string unsigned = OpenClNames.IsSignedInteger(binary.Type!) ? OpenClNames.UnsignedOf(binary.Type!) : clType;
                    return "((" + clType + ")((" + unsigned + ")" + left + " >> " + right + "))";
                }

                case BinaryOperatorKind.And:
                    return "(" + left + " & " + right + ")";
                case BinaryOperatorKind.Or:
                    return "(" + left + " | " + right + ")";
                case BinaryOperatorKind.ExclusiveOr:
                    return "(" + left + " ^ " + right + ")";
                case BinaryOperatorKind.ConditionalAnd:
                    return "(" + left + " && " + right + ")";
                case BinaryOperatorKind.ConditionalOr:
                    return "(" + left + " || " + right + ")";
                case BinaryOperatorKind.Equals:
                    return "(" + left + " == " + right + ")";
                case BinaryOperatorKind.NotEquals:
                    return "(" + left + " != " + right + ")";
                case BinaryOperatorKind.LessThan:
                    return "(" + left + " < " + right + ")";
                case BinaryOperatorKind.LessThanOrEqual:
                    return "(" + left + " <= " + right + ")";
                case BinaryOperatorKind.GreaterThan:
                    return "(" + left + " > " + right + ")";
                case BinaryOperatorKind.GreaterThanOrEqual:
                    return "(" + left + " >= " + right + ")";
                default:
                    Unsupported(binary, binary.OperatorKind.ToString(), "not supported in a kernel");
                    return "0";
            }
        }

        private string CompoundToken(BinaryOperatorKind kind, IOperation op)
        {
            switch (kind)
            {
                case BinaryOperatorKind.Add: return "+";
                case BinaryOperatorKind.Subtract: return "-";
                case BinaryOperatorKind.Multiply: return "*";
                case BinaryOperatorKind.Divide: return "/";
                case BinaryOperatorKind.Remainder: return "%";
                case BinaryOperatorKind.LeftShift: return "<<";
                case BinaryOperatorKind.RightShift: return ">>";
                case BinaryOperatorKind.And: return "&";
                case BinaryOperatorKind.Or: return "|";
                case BinaryOperatorKind.ExclusiveOr: return "^";
                default:
                    Unsupported(op, kind.ToString() + "=", "write the operation out: x = x op y");
                    return "+";
            }
        }

        private string Unary(IUnaryOperation unary)
        {
            if (unary.IsChecked || (unary.OperatorMethod != null && !OpenClNames.IsHalf(unary.OperatorMethod.ContainingType)))
            {
                Unsupported(unary, unary.Syntax.ToString(), "checked or user-defined operators are not supported in kernels");
                return "0";
            }

            string operand = Expression(unary.Operand);
            switch (unary.OperatorKind)
            {
                case UnaryOperatorKind.Minus:
                    if (OpenClNames.IsSignedInteger(unary.Type!))
                    {
                        string unsigned = OpenClNames.UnsignedOf(unary.Type!);
                        return "((" + OpenClNames.Scalar(unary.Type!) + ")((" + unsigned + ")0 - (" + unsigned + ")" + operand + "))";
                    }

                    return "(-" + operand + ")";
                case UnaryOperatorKind.Plus:
                    return "(+" + operand + ")";
                case UnaryOperatorKind.BitwiseNegation:
                    return "(~" + operand + ")";
                case UnaryOperatorKind.Not:
                    return "(!" + operand + ")";
                default:
                    Unsupported(unary, unary.OperatorKind.ToString(), "not supported in a kernel");
                    return "0";
            }
        }

        private string Conversion(IConversionOperation conversion)
        {
            var to = conversion.Type!;
            var from = conversion.Operand.Type;
            string operand = Expression(conversion.Operand);
            if (from is null || SymbolEqualityComparer.Default.Equals(from, to) || conversion.Conversion.IsIdentity)
            {
                return operand;
            }

            if (conversion.IsChecked || conversion.OperatorMethod != null && !OpenClNames.IsHalf(to) && !OpenClNames.IsHalf(from))
            {
                Unsupported(conversion, conversion.Syntax.ToString(), "checked and user-defined conversions are not supported in kernels");
                return "0";
            }

            string clTo = TypeName(to, conversion.Syntax.GetLocation());
            string? clFrom = OpenClNames.Scalar(from);
            if (clFrom is null)
            {
                TypeName(from, conversion.Operand.Syntax.GetLocation());
                return "0";
            }

            if (OpenClNames.IsFloating(from) && !OpenClNames.IsFloating(to) && to.SpecialType != SpecialType.System_Boolean)
            {
                // .NET converts floating point to integers with saturation (NaN → 0), as convert_T_sat_rtz does.
                return "convert_" + clTo + "_sat_rtz(" + operand + ")";
            }

            return "((" + clTo + ")" + operand + ")";
        }

        private string Invocation(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            var args = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToList();
            string container = method.ContainingType?.ToDisplayString() ?? string.Empty;

            if (IsGroup(method))
            {
                return GroupCall(invocation, method, args);
            }

            if (container == "System.Math" || container == "System.MathF")
            {
                return MathCall(invocation, method, args);
            }

            if ((container == "float" || container == "double" || container == "System.Half") && args.Count == 1)
            {
                switch (method.Name)
                {
                    case "IsNaN": return "(isnan(" + Expression(args[0]) + ") != 0)";
                    case "IsInfinity": return "(isinf(" + Expression(args[0]) + ") != 0)";
                    case "IsFinite": return "(isfinite(" + Expression(args[0]) + ") != 0)";
                }
            }

            if (method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.KernelHelperAttribute))
            {
                string name = Helper(method.OriginalDefinition, invocation.Syntax);
                return name + "(" + string.Join(", ", args.Select(Expression)) + ")";
            }

            string hint = method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.KernelAttribute)
                ? "a kernel cannot call another kernel; move the shared code into a [KernelHelper] method"
                : "kernels call Math/MathF functions, Group.* and static [KernelHelper] methods";
            Report(DiagnosticDescriptors.KernelCallNotAllowed, invocation.Syntax.GetLocation(), method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), hint);
            return "0";
        }

        private string GroupCall(IInvocationOperation invocation, IMethodSymbol method, List<IOperation> args)
        {
            string Dim() => Expression(args[0]);
            switch (method.Name)
            {
                case "LocalId": UsesWorkGroups = true; return "((int)get_local_id(" + Dim() + "))";
                case "LocalSize": UsesWorkGroups = true; return "((int)get_local_size(" + Dim() + "))";
                case "Id": UsesWorkGroups = true; return "((int)get_group_id(" + Dim() + "))";
                case "Count": UsesWorkGroups = true; return "((int)get_num_groups(" + Dim() + "))";
                case "GlobalSize": return "((int)get_global_size(" + Dim() + "))";
                case "Barrier": UsesWorkGroups = true; return "barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)";
                case "Local":
                    Report(DiagnosticDescriptors.InvalidLocalMemory, invocation.Syntax.GetLocation(), "Group.Local", "assign it to a Span<T> local at the top level of the kernel body");
                    return "0";
                default:
                    Unsupported(invocation, method.Name, "not supported in a kernel");
                    return "0";
            }
        }

        private string MathCall(IInvocationOperation invocation, IMethodSymbol method, List<IOperation> args)
        {
            var type = method.ReturnType;
            bool floating = OpenClNames.IsFloating(type);
            string A(int i) => Expression(args[i]);
            switch (method.Name)
            {
                case "Sqrt": return "sqrt(" + A(0) + ")";
                case "Cbrt": return "cbrt(" + A(0) + ")";
                case "Exp": return "exp(" + A(0) + ")";
                case "Log" when args.Count == 1: return "log(" + A(0) + ")";
                case "Log2": return "log2(" + A(0) + ")";
                case "Log10": return "log10(" + A(0) + ")";
                case "Pow": return "pow(" + A(0) + ", " + A(1) + ")";
                case "Sin": return "sin(" + A(0) + ")";
                case "Cos": return "cos(" + A(0) + ")";
                case "Tan": return "tan(" + A(0) + ")";
                case "Asin": return "asin(" + A(0) + ")";
                case "Acos": return "acos(" + A(0) + ")";
                case "Atan": return "atan(" + A(0) + ")";
                case "Atan2": return "atan2(" + A(0) + ", " + A(1) + ")";
                case "Sinh": return "sinh(" + A(0) + ")";
                case "Cosh": return "cosh(" + A(0) + ")";
                case "Tanh": return "tanh(" + A(0) + ")";
                case "Floor":
                case "Ceiling":
                case "Truncate":
                case "Round" when args.Count == 1: // C#: to nearest, ties to even
                    return Rounding(method.Name, type) + "(" + A(0) + ")";
                case "FusedMultiplyAdd": return "fma(" + A(0) + ", " + A(1) + ", " + A(2) + ")";
                case "CopySign": return "copysign(" + A(0) + ", " + A(1) + ")";
                case "Abs" when floating: return "fabs(" + A(0) + ")";
                case "Abs": return "((" + OpenClNames.Scalar(type) + ")abs(" + A(0) + "))";
                case "Min" when floating:
                case "Max" when floating:
                case "Clamp" when floating:
                case "Sign" when OpenClNames.IsFloating(args[0].Type!):
                    return Prelude(method.Name, args[0].Type!) + "(" + string.Join(", ", args.Select(Expression)) + ")";
                case "Min": return "min(" + A(0) + ", " + A(1) + ")";
                case "Max": return "max(" + A(0) + ", " + A(1) + ")";
                case "Clamp": return "clamp(" + A(0) + ", " + A(1) + ", " + A(2) + ")";
                case "Sign": return "((" + A(0) + " > 0) - (" + A(0) + " < 0))";
                default:
                    Report(DiagnosticDescriptors.KernelCallNotAllowed, invocation.Syntax.GetLocation(), method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                        "mapped Math/MathF functions: Abs, Sqrt, Cbrt, Exp, Log, Log2, Log10, Pow, Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh, Floor, Ceiling, Truncate, Round(x), Min, Max, Clamp, Sign, FusedMultiplyAdd, CopySign");
                    return "0";
            }
        }

        /// <summary>
        /// NaN constants are read through a volatile local: PoCL 3.1 (LLVM 15) miscompiles a constant NaN
        /// flowing into floor/ceil/trunc/rint (the store disappears, or the compiler hangs). A NaN that the
        /// compiler cannot see as a constant is handled correctly.
        /// </summary>
        private void NaNPrelude(string literal)
        {
            _prelude.Add(literal == "adsl_nan_f()"
                ? "static float adsl_nan_f(void) { volatile float n = NAN; return n; }\n"
                : "static double adsl_nan_d(void) { volatile double n = (double)NAN; return n; }\n");
        }

        /// <summary>
        /// floor, ceil, trunc and round-to-even written with plain IEEE arithmetic: PoCL 3.1 (LLVM 15)
        /// miscompiles its built-ins when their argument folds to a constant (a large value crashes the
        /// compiler, a NaN drops the store). Exact for every input; values of magnitude 2^23 (2^52) and up
        /// are already integers.
        /// </summary>
        private string Rounding(string function, ITypeSymbol type)
        {
            bool isDouble = type.SpecialType == SpecialType.System_Double;
            string t = isDouble ? "double" : "float";
            string big = isDouble ? "4503599627370496.0" : "8388608.0f";      // 2^52, 2^23
            string integer = isDouble ? "long" : "int";
            string trunc = "adsl_trunc_" + t;
            _prelude.Add($"static {t} {trunc}({t} x) {{ if (!(fabs(x) < {big})) return x; return copysign(({t})(({integer})x), x); }}\n");
            switch (function)
            {
                case "Truncate":
                    return trunc;
                case "Floor":
                    _prelude.Add($"static {t} adsl_floor_{t}({t} x) {{ {t} r = {trunc}(x); return r > x ? r - 1 : r; }}\n");
                    return "adsl_floor_" + t;
                case "Ceiling":
                    _prelude.Add($"static {t} adsl_ceil_{t}({t} x) {{ {t} r = {trunc}(x); return r < x ? copysign(r + 1, x) : r; }}\n");
                    return "adsl_ceil_" + t;
                default:
                    _prelude.Add($"static {t} adsl_round_{t}({t} x) {{ if (!(fabs(x) < {big})) return x; {t} m = copysign({big}, x); return copysign((x + m) - m, x); }}\n");
                    return "adsl_round_" + t;
            }
        }

        /// <summary>Functions whose .NET semantics (NaN, signed zero) differ from the OpenCL built-ins, written out once per program.</summary>
        private string Prelude(string function, ITypeSymbol type)
        {
            string t = OpenClNames.Scalar(type)!;
            string name = "adsl_" + function.ToLowerInvariant() + "_" + t;
            string text;
            switch (function)
            {
                case "Max":
                    text = $"static {t} {name}({t} x, {t} y) {{ if (isnan(x) || isnan(y)) return x + y; if (x == y) return signbit(x) ? y : x; return x > y ? x : y; }}\n";
                    break;
                case "Min":
                    text = $"static {t} {name}({t} x, {t} y) {{ if (isnan(x) || isnan(y)) return x + y; if (x == y) return signbit(x) ? x : y; return x < y ? x : y; }}\n";
                    break;
                case "Clamp":
                    text = $"static {t} {name}({t} v, {t} lo, {t} hi) {{ return v < lo ? lo : (v > hi ? hi : v); }}\n";
                    break;
                default: // Sign
                    text = $"static int {name}({t} x) {{ return (x > 0) - (x < 0); }}\n";
                    break;
            }

            _prelude.Add(text);
            return name;
        }
    }
}
