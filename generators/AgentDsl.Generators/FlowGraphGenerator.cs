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
            IncrementalValuesProvider<GraphResult> results = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownTypeNames.AgentGraphAttribute,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                    static (ctx, ct) => MapSourcePaths(FlowLowerer.Lower(ctx, ct), ctx.SemanticModel.Compilation.Options.SourceReferenceResolver))
                .WithTrackingName(TrackingNames.Transform);

            // Diagnostics carry locations that move on every edit: keep them off the output branch.
            var diagnostics = results
                .Select(static (r, _) => r.Diagnostics)
                .WithTrackingName(TrackingNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics, static (spc, diags) =>
            {
                foreach (var d in diags)
                {
                    spc.ReportDiagnostic(d.ToDiagnostic());
                }
            });

            var specs = results
                .Select(static (r, _) => r.Spec)
                .Where(static s => s is not null)
                .WithTrackingName(TrackingNames.Output);
            context.RegisterSourceOutput(specs, static (spc, spec) => Emitter.Emit(spc, spec!));
        }

        /// <summary>
        /// The nodes' source paths as the compiler maps them for <c>[CallerFilePath]</c> and PDBs: through the build's
        /// <c>PathMap</c> (the compilation's <see cref="SourceFileResolver"/>), so the generated Definition and MLIR hold
        /// deterministic paths (<c>/_/src/Flow.cs</c> in a CI build) rather than the build machine's; unchanged without one.
        /// </summary>
        internal static GraphResult MapSourcePaths(GraphResult result, SourceReferenceResolver? resolver)
        {
            if (result.Spec is not { } spec || resolver is not SourceFileResolver { PathMap.IsDefaultOrEmpty: false } files)
            {
                return result;
            }

            var nodes = new NodeSpec[spec.Nodes.Count];
            for (int i = 0; i < nodes.Length; i++)
            {
                var node = spec.Nodes[i];
                nodes[i] = node with { FilePath = files.NormalizePath(node.FilePath, baseFilePath: null) ?? node.FilePath };
            }

            return result with { Spec = spec with { Nodes = new EquatableArray<NodeSpec>(nodes) } };
        }
    }
}
