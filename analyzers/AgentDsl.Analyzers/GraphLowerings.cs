using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading;
using AgentDsl.Generators.Flow;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;

namespace AgentDsl.Analyzers
{
    /// <summary>
    /// One lowering of each graph per compilation, shared by the analyzers that read the lowered graph
    /// (<see cref="FlowAnalyzer"/> for its findings, <see cref="PlacementAnalyzer"/> for its checks). The analyzer driver
    /// hands every analyzer the same <see cref="Compilation"/> object, so a table keyed weakly by it holds each
    /// compilation's lowerings exactly as long as the compilation lives.
    /// </summary>
    internal sealed class GraphLowerings
    {
        private static readonly ConditionalWeakTable<Compilation, GraphLowerings> PerCompilation = new ConditionalWeakTable<Compilation, GraphLowerings>();

        private readonly Compilation _compilation;
        private readonly ConcurrentDictionary<ISymbol, Entry> _entries = new ConcurrentDictionary<ISymbol, Entry>(SymbolEqualityComparer.Default);

        private GraphLowerings(Compilation compilation) => _compilation = compilation;

        /// <summary>The lowerings of <paramref name="compilation"/>'s graphs.</summary>
        public static GraphLowerings For(Compilation compilation) => PerCompilation.GetValue(compilation, c => new GraphLowerings(c));

        /// <summary>
        /// <paramref name="type"/>'s lowering: made by the first analyzer that asks (the others wait for it), then reused.
        /// A lowering cancelled part way is not kept; the next caller lowers again.
        /// </summary>
        public GraphResult Lower(INamedTypeSymbol type, AttributeData graphAttribute, CancellationToken ct)
        {
            var entry = _entries.GetOrAdd(type, _ => new Entry());
            lock (entry)
            {
                return entry.Result ??= FlowLowerer.Lower(type, graphAttribute, _compilation, ct);
            }
        }

        private sealed class Entry
        {
            public GraphResult? Result;
        }
    }
}
