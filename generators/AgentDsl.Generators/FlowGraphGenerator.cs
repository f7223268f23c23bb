using AgentDsl.Generators.Flow;
using AgentDsl.Generators.Helpers;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentDsl.Generators
{
    /// <summary>
    /// Reads each [AgentGraph] class's [Flow] body and emits its graph definition, a switch-based
    /// invoker that calls operators directly, the MLIR text, and a typed RunAsync extension.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class FlowGraphGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // The lowering's errors are not reported here: the compiler stops after the generators when they report an error,
            // and would then print neither its own errors nor the analyzers' (a forgotten await would show only an ADSL error,
            // never CS1503). FlowAnalyzer reports them from the same lowering; a flow with errors is emitted as members that
            // throw naming them (GraphSpec.Errors), so the rest of the user's code still compiles. See docs/diagnostics.md.
            var specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownTypeNames.AgentGraphAttribute,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                    static (ctx, ct) => MapSourcePaths(FlowLowerer.Lower(ctx, ct).Spec, ctx.SemanticModel.Compilation.Options.SourceReferenceResolver))
                .WithTrackingName(TrackingNames.Transform)
                .Where(static s => s is not null)
                .WithTrackingName(TrackingNames.Output);
            context.RegisterSourceOutput(specs, static (spc, spec) => Emitter.Emit(spc, spec!));
        }

        /// <summary>
        /// The nodes' source paths as the compiler maps them for <c>[CallerFilePath]</c> and PDBs: through the build's
        /// <c>PathMap</c> (the compilation's <see cref="SourceFileResolver"/>), so the generated Definition and MLIR hold
        /// deterministic paths (<c>/_/src/Flow.cs</c> in a CI build) rather than the build machine's; unchanged without one.
        /// </summary>
        internal static GraphSpec? MapSourcePaths(GraphSpec? spec, SourceReferenceResolver? resolver)
        {
            if (spec is null || resolver is not SourceFileResolver { PathMap.IsDefaultOrEmpty: false } files)
            {
                return spec;
            }

            var nodes = new NodeSpec[spec.Nodes.Count];
            for (int i = 0; i < nodes.Length; i++)
            {
                var node = spec.Nodes[i];
                nodes[i] = node with { FilePath = files.NormalizePath(node.FilePath, baseFilePath: null) ?? node.FilePath };
            }

            return spec with { Nodes = new EquatableArray<NodeSpec>(nodes) };
        }
    }
}
