using System.Collections.Immutable;
using System.Runtime.InteropServices;
using AgentDsl.Ir.Topology;

namespace AgentDsl.Ir;

/// <summary>A path through a graph and its length (see <see cref="GraphDefinition.CriticalPath"/>).</summary>
/// <param name="Seconds">The sum of the path's node times.</param>
/// <param name="Nodes">Node ids, first to last; empty for a graph without nodes.</param>
public sealed record GraphPath(double Seconds, ImmutableArray<int> Nodes);
