using AgentDsl.Generators.Flow;
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
                    static (ctx, ct) => FlowLowerer.Lower(ctx, ct))
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
    }
}
