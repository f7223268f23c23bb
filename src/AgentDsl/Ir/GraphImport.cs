using System.Globalization;
using System.Text.Json;

namespace AgentDsl.Ir;

/// <summary>Reads a graph definition back from the JSON that <see cref="GraphExport.ToJson"/> writes.</summary>
public static class GraphImport
{
    /// <summary>Parses graph JSON; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="GraphDefinitionException">The JSON is not a graph; the message names the file, the node and the field.</exception>
    public static GraphDefinition FromJson(string json, string file = "graph.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new GraphDefinitionException(file, $"not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}): {ex.Message}");
        }

        using (document)
        {
            return ParseGraph(document.RootElement, file);
        }
    }

    private static GraphDefinition ParseGraph(JsonElement root, string file)
    {
        {
            string name = Text(root, "name", file, "the graph");
            var sla = Get(root, "sla", file, "the graph");
            var inputs = Get(root, "inputs", file, "the graph").EnumerateArray()
                .Select(i => new GraphInput(Get(i, "index", file, "an input").GetInt32(), Text(i, "name", file, "an input"), Text(i, "type", file, "an input")))
                .ToList();
            var nodes = new List<NodeDefinition>();
            foreach (var n in Get(root, "nodes", file, "the graph").EnumerateArray())
            {
                string nodeName = Text(n, "name", file, "a node");
                string where = $"node '{nodeName}'";
                var nodeInputs = Get(n, "inputs", file, where).EnumerateArray().Select(i => new NodeInput(
                    Text(i, "parameter", file, where),
                    Text(i, "type", file, where),
                    ParseRef(Text(i, "from", file, where), file, where),
                    i.TryGetProperty("constant", out var c) ? c.GetString() : null)).ToList();
                var cost = n.TryGetProperty("cost", out var co) ? ParseCost(co, file, where) : CostHints.None;
                nodes.Add(new NodeDefinition(
                    Get(n, "id", file, where).GetInt32(),
                    nodeName,
                    Text(n, "operator", file, where),
                    ParseEnum<OperatorKind>(Text(n, "kind", file, where), file, where, "kind"),
                    Text(n, "resultType", file, where),
                    n.TryGetProperty("async", out var a) && a.GetBoolean(),
                    nodeInputs)
                {
                    Cost = cost,
                    Phase = n.TryGetProperty("phase", out var ph) ? ParseEnum<NodePhase>(ph.GetString() ?? "", file, where, "phase") : NodePhase.None,
                    OutputBytes = n.TryGetProperty("outputBytes", out var ob) ? ob.GetDouble() : 0,
                    Guards = ParseGuards(n, file, where),
                    FanOut = n.TryGetProperty("fanOut", out var fo) ? ParseRef(fo.GetString() ?? "", file, where + ", fanOut") : null,
                    Subgraph = n.TryGetProperty("subgraph", out var sg) ? ParseGraph(sg, file) : null,
                    Merge = n.TryGetProperty("merge", out var mg) && mg.GetBoolean(),
                    Loop = n.TryGetProperty("loop", out var lp)
                        ? new LoopIteration(Get(lp, "loop", file, where).GetInt32(), Get(lp, "iteration", file, where).GetInt32(), Get(lp, "bound", file, where).GetInt32())
                        : null,
                    Source = n.TryGetProperty("source", out var s)
                        ? new SourceSpan(Text(s, "file", file, where), Get(s, "line", file, where).GetInt32(), Get(s, "column", file, where).GetInt32())
                        : null,
                });
            }

            ValueRef? output = root.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.String ? ParseRef(o.GetString()!, file, "the output") : null;
            return new GraphDefinition(
                name,
                root.TryGetProperty("type", out var t) ? t.GetString() ?? name : name,
                root.TryGetProperty("flow", out var f) ? f.GetString() ?? "" : "",
                new SlaSpec(Get(sla, "latencyMs", file, "sla").GetDouble(), Get(sla, "percentile", file, "sla").GetDouble()),
                inputs,
                nodes,
                output,
                root.TryGetProperty("outputType", out var ot) ? ot.GetString() ?? "void" : "void",
                root.TryGetProperty("returns", out var rs)
                    ? [.. rs.EnumerateArray().Select((r, i) => new GraphReturn(ParseRef(Text(r, "value", file, $"return {i + 1}"), file, $"return {i + 1}"), ParseGuards(r, file, $"return {i + 1}")))]
                    : null);
        }
    }

    private static NodeGuard[] ParseGuards(JsonElement e, string file, string where) =>
        e.TryGetProperty("guards", out var gs)
            ? [.. gs.EnumerateArray().Select(g => new NodeGuard(
                Get(g, "node", file, where + ", a guard").GetInt32(),
                Get(g, "when", file, where + ", a guard").GetBoolean(),
                g.TryGetProperty("probability", out var p) ? p.GetDouble() : null))]
            : [];

    private static CostHints ParseCost(JsonElement c, string file, string where)
    {
        ModelDescription? model = null;
        if (c.TryGetProperty("model", out var m))
        {
            model = new ModelDescription
            {
                Name = m.TryGetProperty("name", out var n) ? n.GetString() : null,
                Parameters = Number(m, "parameters"),
                Layers = (int)Number(m, "layers"),
                HiddenSize = (int)Number(m, "hiddenSize"),
                Heads = (int)Number(m, "heads"),
                KvHeads = (int)Number(m, "kvHeads"),
                Precision = m.TryGetProperty("precision", out var p) ? ParseEnum<Precision>(p.GetString() ?? "", file, where, "precision") : Precision.Unspecified,
                PromptTokens = (int)Number(m, "promptTokens"),
                OutputTokens = (int)Number(m, "outputTokens"),
            };
        }

        return new CostHints
        {
            Flops = Number(c, "flops"),
            BytesMoved = Number(c, "bytesMoved"),
            MemoryFootprintBytes = Number(c, "memoryFootprintBytes"),
            AllowedDevices = c.TryGetProperty("allowedDevices", out var al) ? ParseEnum<DeviceKinds>(al.GetString() ?? "Any", file, where, "allowedDevices") : DeviceKinds.Any,
            PreferredDevices = c.TryGetProperty("preferredDevices", out var pr) ? ParseEnum<DeviceKinds>(pr.GetString() ?? "None", file, where, "preferredDevices") : DeviceKinds.None,
            Batchable = c.TryGetProperty("batchable", out var b) && b.GetBoolean(),
            SafeToRetry = c.TryGetProperty("safeToRetry", out var r) && r.GetBoolean(),
            Model = model,
        };
    }

    private static double Number(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;

    private static JsonElement Get(JsonElement e, string property, string file, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v)
            ? v
            : throw new GraphDefinitionException(file, $"{where}: missing '{property}'");

    private static string Text(JsonElement e, string property, string file, string where) =>
        Get(e, property, file, where).GetString() ?? throw new GraphDefinitionException(file, $"{where}: '{property}' must be a string");

    private static T ParseEnum<T>(string text, string file, string where, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value)
            ? value
            : throw new GraphDefinitionException(file, $"{where}: '{field}' is '{text}', not one of {string.Join(", ", Enum.GetNames<T>())}");

    private static ValueRef ParseRef(string text, string file, string where)
    {
        if (text == "constant")
        {
            return ValueRef.Constant;
        }

        if (text == "cancellation")
        {
            return ValueRef.CancellationToken;
        }

        if (text == "element")
        {
            return ValueRef.Element;
        }

        if (text.StartsWith("input", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int i))
        {
            return ValueRef.Input(i);
        }

        if (text.StartsWith("node", StringComparison.Ordinal) && int.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            return ValueRef.Node(n);
        }

        throw new GraphDefinitionException(file, $"{where}: '{text}' is not a value reference (inputN, nodeN, constant, cancellation, element)");
    }
}
