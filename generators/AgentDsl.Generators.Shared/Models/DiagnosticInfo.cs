#nullable enable
using System;
using System.Linq;
using AgentDsl.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AgentDsl.Generators.Models
{
    /// <summary>A value-only source location: safe to keep in incremental models, turned into a <see cref="Location"/> at report time.</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public static LocationInfo? From(Location? location) =>
            location is null || location.SourceTree is null
                ? null
                : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public static LocationInfo From(SyntaxNode node) => From(node.GetLocation())!;

        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
    }

    /// <summary>A diagnostic as plain values: arguments are strings, the location is a <see cref="LocationInfo"/>.</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SyntaxNode node, params object?[] arguments) =>
            new DiagnosticInfo(descriptor, LocationInfo.From(node), new EquatableArray<string>(arguments.Select(a => a?.ToString() ?? string.Empty)));

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params object?[] arguments) =>
            new DiagnosticInfo(descriptor, LocationInfo.From(location), new EquatableArray<string>(arguments.Select(a => a?.ToString() ?? string.Empty)));

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.Cast<object>().ToArray());

        /// <summary>The diagnostic with a location in the compilation's own syntax tree (so editors can offer code fixes).</summary>
        public Diagnostic ToDiagnostic(Compilation compilation)
        {
            var tree = Location is null ? null : compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == Location.FilePath);
            var location = tree is null ? Location?.ToLocation() : Microsoft.CodeAnalysis.Location.Create(tree, Location!.Span);
            return Diagnostic.Create(Descriptor, location, Arguments.Cast<object>().ToArray());
        }
    }
}
