using System.Globalization;
using System.Linq;
using AgentDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentDsl.Generators.Kernels
{
    internal sealed partial class OpenClTranslator
    {
        private void Statement(IOperation op)
        {
            _ct.ThrowIfCancellationRequested();
            bool topLevel = _inKernelTopLevel;
            _inKernelTopLevel = false;
            switch (op)
            {
                case IBlockOperation block:
                    Line("{");
                    _indent++;
                    foreach (var inner in block.Operations)
                    {
                        Statement(inner);
                    }

                    _indent--;
                    Line("}");
                    break;

                case IVariableDeclarationGroupOperation group:
                    foreach (var declaration in group.Declarations)
                    {
                        foreach (var declarator in declaration.Declarators)
                        {
                            Declare(declarator, declarator.Initializer ?? declaration.Initializer, topLevel);
                        }
                    }

                    break;

                case IExpressionStatementOperation statement:
                    Line(Expression(statement.Operation) + ";");
                    break;

                case IConditionalOperation conditional when conditional.Type is null || conditional.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.IfStatementSyntax:
                    Line("if (" + Expression(conditional.Condition) + ")");
                    Embedded(conditional.WhenTrue);
                    if (conditional.WhenFalse != null)
                    {
                        Line("else");
                        Embedded(conditional.WhenFalse);
                    }

                    break;

                case IForLoopOperation loop:
                    string before = string.Join(", ", loop.Before.Select(ForClause));
                    if (loop.Before.Length == 1 && loop.Before[0] is IVariableDeclarationGroupOperation)
                    {
                        before = ForClause(loop.Before[0]);
                    }

                    Line("for (" + before + "; " + (loop.Condition is null ? string.Empty : Expression(loop.Condition)) + "; "
                        + string.Join(", ", loop.AtLoopBottom.Select(a => a is IExpressionStatementOperation e ? Expression(e.Operation) : Unknown(a))) + ")");
                    Embedded(loop.Body);
                    break;

                case IWhileLoopOperation loop when loop.ConditionIsTop && !loop.ConditionIsUntil:
                    Line("while (" + Expression(loop.Condition!) + ")");
                    Embedded(loop.Body);
                    break;

                case IWhileLoopOperation loop when !loop.ConditionIsTop && !loop.ConditionIsUntil:
                    Line("do");
                    Embedded(loop.Body);
                    Line("while (" + Expression(loop.Condition!) + ");");
                    break;

                case IBranchOperation branch when branch.BranchKind == BranchKind.Break:
                    Line("break;");
                    break;

                case IBranchOperation branch when branch.BranchKind == BranchKind.Continue:
                    Line("continue;");
                    break;

                case IReturnOperation ret:
                    Line(ret.ReturnedValue is null ? "return;" : "return " + Expression(ret.ReturnedValue) + ";");
                    break;

                case IEmptyOperation:
                    Line(";");
                    break;

                case IForEachLoopOperation:
                    Unsupported(op, "foreach", "kernels index buffers with 'for (int k = 0; k < buffer.Length; k++)'");
                    break;

                case ISwitchOperation:
                    Unsupported(op, "switch", "use if/else");
                    break;

                case ITryOperation:
                case IThrowOperation:
                    Unsupported(op, op is ITryOperation ? "try" : "throw", "OpenCL kernels have no exceptions; guard with if/else and write a status value instead");
                    break;

                case ILockOperation:
                    Unsupported(op, "lock", "synchronise work-items with Group.Barrier()");
                    break;

                case IUsingOperation:
                case IUsingDeclarationOperation:
                    Unsupported(op, "using", "kernels own no resources");
                    break;

                case ILocalFunctionOperation:
                    Unsupported(op, "local function", "write a static [KernelHelper] method");
                    break;

                case IBranchOperation:
                case ILabeledOperation:
                    Unsupported(op, "goto", "use loops with break and continue");
                    break;

                default:
                    Unsupported(op, Describe(op), "kernels support locals, arithmetic, comparisons, logic, casts, ?:, if/else, for, while, do, break, continue and return");
                    break;
            }
        }

        /// <summary>A nested statement: always braced, so dangling else cannot change meaning.</summary>
        private void Embedded(IOperation op)
        {
            if (op is IBlockOperation)
            {
                Statement(op);
                return;
            }

            Line("{");
            _indent++;
            Statement(op);
            _indent--;
            Line("}");
        }

        private string ForClause(IOperation op)
        {
            switch (op)
            {
                case IVariableDeclarationGroupOperation group:
                {
                    var declarators = group.Declarations.SelectMany(d => d.Declarators).ToList();
                    if (declarators.Count == 0)
                    {
                        return string.Empty;
                    }

                    string type = TypeName(declarators[0].Symbol.Type, declarators[0].Symbol.Locations.FirstOrDefault());
                    return type + " " + string.Join(", ", declarators.Select(d =>
                    {
                        var init = d.Initializer ?? group.Declarations.First(x => x.Declarators.Contains(d)).Initializer;
                        string name = OpenClNames.Identifier(d.Symbol.Name);
                        if (!SymbolEqualityComparer.Default.Equals(d.Symbol.Type, declarators[0].Symbol.Type))
                        {
                            Unsupported(d, "for-loop locals of different types", "declare them before the loop");
                        }

                        return init is null ? name : name + " = " + Expression(init.Value);
                    }));
                }

                case IExpressionStatementOperation e:
                    return Expression(e.Operation);
                default:
                    return Expression(op);
            }
        }

        private void Declare(IVariableDeclaratorOperation declarator, IVariableInitializerOperation? initializer, bool topLevel)
        {
            var local = declarator.Symbol;
            string name = OpenClNames.Identifier(local.Name);
            if (OpenClNames.Span(local.Type) is { } span)
            {
                // Only local memory: Span<T> x = Group.Local<T>(constant).
                if (initializer?.Value is IInvocationOperation { TargetMethod: { Name: "Local" } m } call && IsGroup(m))
                {
                    UsesWorkGroups = true;
                    var length = call.Arguments[0].Value.ConstantValue;
                    if (!topLevel || _translating.Count != 1 || !length.HasValue || !(length.Value is int n) || n <= 0)
                    {
                        Report(DiagnosticDescriptors.InvalidLocalMemory, declarator.Syntax.GetLocation(), local.Name,
                            !length.HasValue || !(length.Value is int k) || k <= 0 ? "its length must be a positive constant" : "it must be declared at the top level of the kernel body (OpenCL C 1.2 declares __local arrays at kernel scope)");
                        return;
                    }

                    Line("__local " + TypeName(span.Element, local.Locations.FirstOrDefault()) + " " + name + "[" + n.ToString(CultureInfo.InvariantCulture) + "];");
                    return;
                }

                Report(DiagnosticDescriptors.UnsupportedKernelConstruct, declarator.Syntax.GetLocation(), "a span local", "spans in kernels are the kernel's parameters or Group.Local<T>(n)");
                return;
            }

            string type = TypeName(local.Type, local.Locations.FirstOrDefault());
            string prefix = local.IsConst ? "const " : string.Empty;
            Line(initializer is null
                ? prefix + type + " " + name + ";"
                : prefix + type + " " + name + " = " + Expression(initializer.Value) + ";");
        }

        private string Unknown(IOperation op)
        {
            Unsupported(op, Describe(op), "not supported in a kernel");
            return "0";
        }

        private static string Describe(IOperation op)
        {
            string kind = op.Kind.ToString();
            var text = op.Syntax.ToString();
            return text.Length <= 40 ? text : kind;
        }

        private static bool IsGroup(IMethodSymbol method) =>
            method.ContainingType?.ToDisplayString() == "AgentDsl.Kernels.Group";
    }
}
