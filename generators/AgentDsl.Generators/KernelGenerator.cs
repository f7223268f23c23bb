using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Helpers;
using AgentDsl.Generators.Kernels;
using AgentDsl.Generators.Models;
using AgentDsl.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators
{
    /// <summary>
    /// Compiles each [Kernel] method to OpenCL C 1.2 and emits, in a nested <c>Kernels</c> class of its
    /// type: the OpenCL source, a <c>KernelDefinition</c>, a typed <c>LaunchAsync</c> and the managed
    /// reference implementation (the C# method itself, called per work-item).
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class KernelGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the kernel pipeline.</summary>
        public static class Steps
        {
            /// <summary>Method → spec (the diagnostics are KernelAnalyzer's to report).</summary>
            public const string Transform = "AgentDsl.Kernel.Transform";

            /// <summary>Spec the emitter sees.</summary>
            public const string Output = "AgentDsl.Kernel.Output";
        }

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var results = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownTypeNames.KernelAttribute,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, ct) => Parse(ctx, ct))
                .WithTrackingName(Steps.Transform);

            // The kernel's errors (ADSL0100–0106) are KernelAnalyzer's to report: an error reported by a generator stops the
            // compiler before its own errors, so a kernel mistake would hide every C# error of the project.
            context.RegisterSourceOutput(
                results.Select(static (r, _) => r.Spec).Where(static s => s is not null).WithTrackingName(Steps.Output),
                static (spc, spec) => spc.AddSource(spec!.HintName, KernelEmitter.Write(spec)));
        }

        internal static KernelResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct) =>
            KernelLowerer.Lower((IMethodSymbol)context.TargetSymbol, (MethodDeclarationSyntax)context.TargetNode, context.Attributes[0], context.SemanticModel.Compilation, ct);
    }
}
