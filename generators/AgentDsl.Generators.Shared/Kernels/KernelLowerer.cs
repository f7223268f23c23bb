using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Helpers;
using AgentDsl.Generators.Models;
using AgentDsl.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators.Kernels
{
    /// <summary>
    /// One [Kernel] method checked and translated to OpenCL C: used by the generator (which emits the spec) and by
    /// KernelAnalyzer (which reports the diagnostics, so that a kernel error never hides the compiler's own errors).
    /// </summary>
    internal static class KernelLowerer
    {
        /// <summary>Checks and translates one [Kernel] method: its spec (null when it cannot be emitted) and its diagnostics.</summary>
        public static KernelResult Lower(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData attribute, Compilation compilation, CancellationToken ct)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var type = method.ContainingType;
            string name = type.Name + "." + method.Name;

            int dimensions = 1;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Dimensions" && named.Value.Value is int d)
                {
                    dimensions = d;
                }
            }

            bool signatureOk = CheckSignature(method, syntax, dimensions, diagnostics);

            // The generated Kernels class nests in the declaring type: it and its containers must be partial.
            var notPartial = NotPartial(type, ct);
            if (notPartial != null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KernelTypeNotPartial, syntax.Identifier.GetLocation(),
                    type.Name, method.Name, notPartial == type.Name ? string.Empty : " (and so must its containing type '" + notPartial + "')"));
            }

            if (!signatureOk)
            {
                return new KernelResult(null, diagnostics); // Fix the signature first; the body is checked once it is valid.
            }

            var translator = new OpenClTranslator(compilation, diagnostics, ct);
            string entryPoint = "adsl_" + type.Name + "_" + method.Name;
            string source = translator.TranslateKernel(method, syntax, dimensions, entryPoint);
            ct.ThrowIfCancellationRequested();

            if (notPartial != null)
            {
                return new KernelResult(null, diagnostics);
            }

            var parameters = new List<KernelParamSpec>();
            foreach (var p in method.Parameters.Skip(dimensions))
            {
                if (OpenClNames.Span(p.Type) is { } span)
                {
                    parameters.Add(new KernelParamSpec(p.Name, true, OpenClNames.ScalarType(span.Element)!.Value, span.Element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), span.ReadOnly));
                }
                else
                {
                    parameters.Add(new KernelParamSpec(p.Name, false, OpenClNames.ScalarType(p.Type)!.Value, p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), true));
                }
            }

            var requirements = (translator.UsesDouble ? KernelRequirements.Fp64 : KernelRequirements.None)
                | (translator.UsesHalf ? KernelRequirements.Fp16 : KernelRequirements.None)
                | (translator.UsesWorkGroups ? KernelRequirements.WorkGroups : KernelRequirements.None);
            var containing = new List<ContainingTypeSpec>();
            bool canRegister = true;
            for (var t = type; t != null; t = t.ContainingType)
            {
                containing.Insert(0, new ContainingTypeSpec(t.IsRecord ? "record" : t.TypeKind == TypeKind.Struct ? "struct" : "class", t.Name));
                if (t.DeclaredAccessibility != Accessibility.Public && t.DeclaredAccessibility != Accessibility.Internal)
                {
                    canRegister = false;
                }
            }

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            var spec = new KernelSpec(
                ns,
                containing,
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                name,
                method.Name,
                (ns is null ? string.Empty : ns + ".") + string.Join(".", containing.Select(c => c.Name)) + ".Kernels." + method.Name + ".g.cs",
                dimensions,
                parameters,
                entryPoint,
                source,
                requirements,
                canRegister);
            return new KernelResult(spec, diagnostics);
        }

        private static bool CheckSignature(IMethodSymbol method, MethodDeclarationSyntax syntax, int dimensions, List<DiagnosticInfo> diagnostics)
        {
            var problems = new List<(string Problem, Location? Where)>();
            if (!method.IsStatic) problems.Add(("a kernel is static", syntax.Identifier.GetLocation()));
            if (!method.ReturnsVoid) problems.Add(("a kernel returns void; write results into a Span<T> parameter", syntax.ReturnType.GetLocation()));
            if (method.IsGenericMethod || method.ContainingType.IsGenericType) problems.Add(("a kernel and its type are not generic", syntax.Identifier.GetLocation()));
            if (method.IsAsync) problems.Add(("a kernel is not async", syntax.Identifier.GetLocation()));
            if (dimensions < 1 || dimensions > 3) problems.Add(($"Dimensions is {dimensions}; it must be 1, 2 or 3", syntax.Identifier.GetLocation()));
            else if (method.Parameters.Length < dimensions) problems.Add(($"it declares {dimensions} dimensions but has {method.Parameters.Length} parameters; the first {dimensions} must be int work-item indices", syntax.Identifier.GetLocation()));

            for (int i = 0; i < method.Parameters.Length; i++)
            {
                var p = method.Parameters[i];
                var where = p.Locations.FirstOrDefault();
                if (p.RefKind != RefKind.None || p.IsParams)
                {
                    problems.Add(($"parameter '{p.Name}' is passed by value (no ref, out, in or params)", where));
                }
                else if (i < dimensions)
                {
                    if (p.Type.SpecialType != SpecialType.System_Int32)
                    {
                        problems.Add(($"parameter '{p.Name}' is a work-item index, so it must be int", where));
                    }
                }
                else if (OpenClNames.Span(p.Type) is { } span)
                {
                    if (OpenClNames.ScalarType(span.Element) is null)
                    {
                        problems.Add(($"buffer '{p.Name}' holds {span.Element.ToDisplayString()}; buffers hold int, uint, long, ulong, float, double or Half", where));
                    }
                }
                else if (OpenClNames.ScalarType(p.Type) is null)
                {
                    problems.Add(($"parameter '{p.Name}' is {p.Type.ToDisplayString()}; scalars are int, uint, long, ulong, float, double or Half", where));
                }
            }

            foreach (var (problem, where) in problems)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKernelSignature, where ?? syntax.Identifier.GetLocation(), method.Name, problem));
            }

            return problems.Count == 0;
        }

        private static string? NotPartial(INamedTypeSymbol type, CancellationToken ct)
        {
            for (var t = type; t != null; t = t.ContainingType)
            {
                foreach (var reference in t.DeclaringSyntaxReferences)
                {
                    if (!(reference.GetSyntax(ct) is TypeDeclarationSyntax decl) || !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        return t.Name;
                    }
                }
            }

            return null;
        }
    }
}
