using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AgentDsl.Ir;

/// <summary>Exports a <see cref="GraphDefinition"/> as JSON, Graphviz DOT or MLIR generic syntax.</summary>
public static class GraphExport
{
    /// <summary>The graph as indented JSON: inputs, nodes with arguments and cost hints, edges, output, SLA.</summary>
    public static string ToJson(this GraphDefinition graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteGraph(w, graph);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The graph in Graphviz DOT: inputs as ellipses, nodes as boxes labelled with operator and kind, edges labelled with the parameter.</summary>
    public static string ToDot(this GraphDefinition graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(DotId(graph.Name)).Append(" {\n");
        sb.Append("  rankdir=LR;\n");
        sb.Append("  label=").Append(DotId(graph.Sla.HasLatencyBound
            ? $"{graph.Name} (SLA {graph.Sla.LatencyMs.ToString(CultureInfo.InvariantCulture)} ms at p{(graph.Sla.Percentile * 100).ToString(CultureInfo.InvariantCulture)})"
            : graph.Name)).Append(";\n");
        sb.Append("  node [fontname=\"Helvetica\"];\n");
        foreach (var input in graph.Inputs)
        {
            sb.Append("  input").Append(input.Index).Append(" [shape=ellipse, label=").Append(DotId($"{input.Name}: {input.Type}")).Append("];\n");
        }

        foreach (var node in graph.Nodes)
        {
            string label = node.Name == node.Operator
                ? $"{node.Name}\\n[{MlirText.KindName(node.Kind)}] → {node.ResultType}"
                : $"{node.Name}\\n{node.Operator} [{MlirText.KindName(node.Kind)}] → {node.ResultType}";
            if (node.Loop is { } loop)
            {
                label += $"\\nloop {loop.Loop}: iteration {loop.Iteration + 1} of ≤ {loop.Bound}";
            }
            sb.Append("  node").Append(node.Id).Append(" [shape=box, label=").Append(DotId(label, keepEscapes: true)).Append("];\n");
        }

        if (graph.Returns.Length > 0)
        {
            sb.Append("  output [shape=doublecircle, label=").Append(DotId(graph.OutputType)).Append("];\n");
        }

        foreach (var edge in graph.Edges)
        {
            sb.Append("  ").Append(edge.From.ToString()).Append(" -> node").Append(edge.To).Append(" [label=").Append(DotId(edge.Parameter)).Append("];\n");
        }

        foreach (var node in graph.Nodes)
        {
            if (node.Subgraph is { } sub)
            {
                // The nested graph's nodes, in a cluster next to the node that runs it.
                string prefix = "node" + node.Id.ToString(CultureInfo.InvariantCulture) + "_";
                sb.Append("  subgraph cluster_").Append(prefix.TrimEnd('_')).Append(" {\n    style=dashed;\n    label=").Append(DotId($"{node.Name}: graph {sub.Name}")).Append(";\n");
                foreach (var inner in sub.Nodes)
                {
                    sb.Append("    ").Append(prefix).Append(inner.Id).Append(" [shape=box, label=").Append(DotId(inner.Name)).Append("];\n");
                }

                foreach (var edge in sub.Edges.Where(e => e.From.Source == ValueSource.Node))
                {
                    sb.Append("    ").Append(prefix).Append(edge.From.Index).Append(" -> ").Append(prefix).Append(edge.To).Append(";\n");
                }

                sb.Append("  }\n");
                if (sub.Nodes.Length > 0)
                {
                    sb.Append("  node").Append(node.Id).Append(" -> ").Append(prefix).Append(sub.Roots.IsEmpty ? 0 : sub.Roots[0]).Append(" [style=dotted, arrowhead=none];\n");
                }
            }

            foreach (var guard in node.Guards)
            {
                sb.Append("  node").Append(guard.Node).Append(" -> node").Append(node.Id).Append(" [style=dashed, label=").Append(DotId(GuardLabel(guard))).Append("];\n");
            }
        }

        foreach (var ret in graph.Returns)
        {
            sb.Append("  ").Append(ret.Value.ToString()).Append(" -> output");
            if (ret.Guards.Count > 0)
            {
                sb.Append(" [style=dashed, label=").Append(DotId(string.Join(" && ", ret.Guards.Select(g => $"{graph.Nodes[g.Node].Name} == {(g.When ? "true" : "false")}")))).Append(']');
            }

            sb.Append(";\n");
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>The graph in MLIR generic syntax (<c>agent</c> dialect): the text of the generated <c>Mlir</c> property, which calls this on the generated <c>Definition</c>.</summary>
    public static string ToMlir(this GraphDefinition graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return MlirText.Write(graph);
    }

    private static void WriteGraph(Utf8JsonWriter w, GraphDefinition graph)
    {
        w.WriteStartObject();
        w.WriteString("name", graph.Name);
        w.WriteString("type", graph.TypeName);
        w.WriteString("flow", graph.Flow);
        w.WriteStartObject("sla");
        w.WriteNumber("latencyMs", graph.Sla.LatencyMs);
        w.WriteNumber("percentile", graph.Sla.Percentile);
        w.WriteEndObject();

        w.WriteStartArray("inputs");
        foreach (var input in graph.Inputs)
        {
            w.WriteStartObject();
            w.WriteNumber("index", input.Index);
            w.WriteString("name", input.Name);
            w.WriteString("type", input.Type);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("nodes");
        foreach (var node in graph.Nodes)
        {
            WriteNode(w, node);
        }

        w.WriteEndArray();

        w.WriteStartArray("edges");
        foreach (var edge in graph.Edges)
        {
            w.WriteStartObject();
            w.WriteString("from", edge.From.ToString());
            w.WriteNumber("to", edge.To);
            w.WriteString("parameter", edge.Parameter);
            w.WriteString("type", edge.Type);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (graph.Output is { } output)
        {
            w.WriteString("output", output.ToString());
        }
        else
        {
            w.WriteNull("output");
        }

        w.WriteString("outputType", graph.OutputType);
        if (graph.Returns.Length > 1)
        {
            w.WriteStartArray("returns");
            foreach (var ret in graph.Returns)
            {
                w.WriteStartObject();
                w.WriteString("value", ret.Value.ToString());
                WriteGuards(w, ret.Guards);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static string GuardLabel(NodeGuard guard) =>
        (guard.When ? "if true" : "if false") + (guard.Probability is { } p ? $" (p={p.ToString("0.##", CultureInfo.InvariantCulture)})" : string.Empty);

    private static void WriteGuards(Utf8JsonWriter w, IReadOnlyList<NodeGuard> guards)
    {
        if (guards.Count == 0)
        {
            return;
        }

        w.WriteStartArray("guards");
        foreach (var guard in guards)
        {
            w.WriteStartObject();
            w.WriteNumber("node", guard.Node);
            w.WriteBoolean("when", guard.When);
            if (guard.Probability is { } p)
            {
                w.WriteNumber("probability", p);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteNode(Utf8JsonWriter w, NodeDefinition node)
    {
        w.WriteStartObject();
        w.WriteNumber("id", node.Id);
        w.WriteString("name", node.Name);
        w.WriteString("operator", node.Operator);
        w.WriteString("kind", MlirText.KindName(node.Kind));
        w.WriteString("resultType", node.ResultType);
        w.WriteBoolean("async", node.IsAsync);
        if (node.Phase != NodePhase.None)
        {
            w.WriteString("phase", node.Phase.ToString());
        }

        if (node.OutputBytes > 0)
        {
            w.WriteNumber("outputBytes", node.OutputBytes);
        }

        w.WriteStartArray("inputs");
        foreach (var input in node.Inputs)
        {
            w.WriteStartObject();
            w.WriteString("parameter", input.Parameter);
            w.WriteString("type", input.Type);
            w.WriteString("from", input.Value.ToString());
            if (input.ConstantText is not null)
            {
                w.WriteString("constant", input.ConstantText);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (node.FanOut is { } fanOut)
        {
            w.WriteString("fanOut", fanOut.ToString());
        }

        if (node.Merge)
        {
            w.WriteBoolean("merge", true);
        }

        if (node.Loop is { } loop)
        {
            w.WriteStartObject("loop");
            w.WriteNumber("loop", loop.Loop);
            w.WriteNumber("iteration", loop.Iteration);
            w.WriteNumber("bound", loop.Bound);
            w.WriteEndObject();
        }

        if (node.Subgraph is { } subgraph)
        {
            w.WritePropertyName("subgraph");
            WriteGraph(w, subgraph);
        }

        WriteGuards(w, node.Guards);
        var c = node.Cost;
        w.WriteStartObject("cost");
        w.WriteNumber("flops", c.Flops);
        w.WriteNumber("bytesMoved", c.BytesMoved);
        w.WriteNumber("memoryFootprintBytes", c.MemoryFootprintBytes);
        w.WriteString("allowedDevices", c.AllowedDevices.ToString());
        w.WriteString("preferredDevices", c.PreferredDevices.ToString());
        w.WriteBoolean("batchable", c.Batchable);
        w.WriteBoolean("safeToRetry", c.SafeToRetry);
        if (c.Model is { } model)
        {
            w.WriteStartObject("model");
            if (model.Name is not null)
            {
                w.WriteString("name", model.Name);
            }

            w.WriteNumber("parameters", model.Parameters);
            w.WriteNumber("layers", model.Layers);
            w.WriteNumber("hiddenSize", model.HiddenSize);
            w.WriteNumber("heads", model.Heads);
            w.WriteNumber("kvHeads", model.KvHeads);
            w.WriteString("precision", model.Precision.ToString());
            w.WriteNumber("promptTokens", model.PromptTokens);
            w.WriteNumber("outputTokens", model.OutputTokens);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        if (node.Source is { } source)
        {
            w.WriteStartObject("source");
            w.WriteString("file", source.File);
            w.WriteNumber("line", source.Line);
            w.WriteNumber("column", source.Column);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static string DotId(string text, bool keepEscapes = false)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (ch == '\\' && keepEscapes && i + 1 < text.Length && text[i + 1] == 'n')
            {
                sb.Append("\\n");
                i++;
            }
            else if (ch is '"' or '\\')
            {
                sb.Append('\\').Append(ch);
            }
            else if (ch == '\n')
            {
                sb.Append("\\n");
            }
            else
            {
                sb.Append(ch);
            }
        }

        return sb.Append('"').ToString();
    }
}
