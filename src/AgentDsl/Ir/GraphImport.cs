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
        catch (ArgumentException ex)
        {
            throw new GraphDefinitionException(file, "not valid text: " + ex.Message); // a lone UTF-16 surrogate
        }

        using (document)
        {
            try
            {
                return ParseGraph(document.RootElement, file);
            }
            catch (GraphDefinitionException ex) when (ex.Graph != file)
            {
                // The IR's own validation names the graph: name the file too.
                throw new GraphDefinitionException(file, $"graph '{ex.Graph}': {ex.Problem}");
            }
        }
    }

    private static GraphDefinition ParseGraph(JsonElement root, string file)
    {
        {
            string name = Text(root, "name", file, "the graph");
            var sla = Get(root, "sla", file, "the graph");
            var inputs = Items(root, "inputs", file, "the graph")
                .Select(i => new GraphInput(Int(i, "index", file, "an input"), Text(i, "name", file, "an input"), Text(i, "type", file, "an input")))
                .ToList();
            var nodes = new List<NodeDefinition>();
            foreach (var n in Items(root, "nodes", file, "the graph"))
            {
                string nodeName = Text(n, "name", file, "a node");
                string where = $"node '{nodeName}'";
                var nodeInputs = Items(n, "inputs", file, where).Select(i => new NodeInput(
                    Text(i, "parameter", file, where),
                    Text(i, "type", file, where),
                    ParseRef(Text(i, "from", file, where), file, where),
                    OptionalText(i, "constant", file, where))).ToList();
                var cost = n.TryGetProperty("cost", out var co) ? ParseCost(co, file, where) : CostHints.None;
                nodes.Add(new NodeDefinition(
                    Int(n, "id", file, where),
                    nodeName,
                    Text(n, "operator", file, where),
                    ParseEnum<OperatorKind>(Text(n, "kind", file, where), file, where, "kind"),
                    Text(n, "resultType", file, where),
                    Flag(n, "async", file, where),
                    nodeInputs)
                {
                    Cost = cost,
                    Phase = n.TryGetProperty("phase", out _) ? ParseEnum<NodePhase>(OptionalText(n, "phase", file, where) ?? "", file, where, "phase") : NodePhase.None,
                    OutputBytes = n.TryGetProperty("outputBytes", out _) ? Real(n, "outputBytes", file, where) : 0,
                    Guards = ParseGuards(n, file, where),
                    FanOut = n.TryGetProperty("fanOut", out _) ? ParseRef(OptionalText(n, "fanOut", file, where) ?? "", file, where + ", fanOut") : null,
                    Subgraph = n.TryGetProperty("subgraph", out var sg) ? ParseGraph(sg, file) : null,
                    Merge = Flag(n, "merge", file, where),
                    Loop = n.TryGetProperty("loop", out var lp)
                        ? new LoopIteration(Int(lp, "loop", file, where), Int(lp, "iteration", file, where), Int(lp, "bound", file, where))
                        : null,
                    Source = n.TryGetProperty("source", out var s)
                        ? new SourceSpan(Text(s, "file", file, where), Int(s, "line", file, where), Int(s, "column", file, where))
                        : null,
                });
            }

            ValueRef? output = root.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.String ? ParseRef(o.GetString()!, file, "the output") : null;
            return new GraphDefinition(
                name,
                OptionalText(root, "type", file, "the graph") ?? name,
                OptionalText(root, "flow", file, "the graph") ?? "",
                new SlaSpec(Real(sla, "latencyMs", file, "sla"), Real(sla, "percentile", file, "sla")),
                inputs,
                nodes,
                output,
                OptionalText(root, "outputType", file, "the graph") ?? "void",
                root.TryGetProperty("returns", out _)
                    ? [.. Items(root, "returns", file, "the graph").Select((r, i) => new GraphReturn(ParseRef(Text(r, "value", file, $"return {i + 1}"), file, $"return {i + 1}"), ParseGuards(r, file, $"return {i + 1}")))]
                    : null);
        }
    }

    private static NodeGuard[] ParseGuards(JsonElement e, string file, string where) =>
        e.TryGetProperty("guards", out _)
            ? [.. Items(e, "guards", file, where).Select(g => new NodeGuard(
                Int(g, "node", file, where + ", a guard"),
                Flag(g, "when", file, where + ", a guard", required: true),
                g.TryGetProperty("probability", out _) ? Real(g, "probability", file, where + ", a guard") : null))]
            : [];

    private static CostHints ParseCost(JsonElement c, string file, string where)
    {
        if (c.ValueKind != JsonValueKind.Object)
        {
            throw new GraphDefinitionException(file, $"{where}: 'cost' must be an object");
        }

        ModelDescription? model = null;
        if (c.TryGetProperty("model", out var m))
        {
            if (m.ValueKind != JsonValueKind.Object)
            {
                throw new GraphDefinitionException(file, $"{where}: 'cost.model' must be an object");
            }

            model = new ModelDescription
            {
                Name = OptionalText(m, "name", file, where),
                Parameters = Number(m, "parameters"),
                Layers = (int)Number(m, "layers"),
                HiddenSize = (int)Number(m, "hiddenSize"),
                Heads = (int)Number(m, "heads"),
                KvHeads = (int)Number(m, "kvHeads"),
                Precision = m.TryGetProperty("precision", out _) ? ParseEnum<Precision>(OptionalText(m, "precision", file, where) ?? "", file, where, "precision") : Precision.Unspecified,
                PromptTokens = (int)Number(m, "promptTokens"),
                OutputTokens = (int)Number(m, "outputTokens"),
            };
        }

        return new CostHints
        {
            Flops = Number(c, "flops"),
            BytesMoved = Number(c, "bytesMoved"),
            MemoryFootprintBytes = Number(c, "memoryFootprintBytes"),
            AllowedDevices = ParseEnum<DeviceKinds>(OptionalText(c, "allowedDevices", file, where) ?? "Any", file, where, "allowedDevices"),
            PreferredDevices = ParseEnum<DeviceKinds>(OptionalText(c, "preferredDevices", file, where) ?? "None", file, where, "preferredDevices"),
            Batchable = Flag(c, "batchable", file, where),
            SafeToRetry = Flag(c, "safeToRetry", file, where),
            Model = model,
        };
    }

    private static double Number(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d) ? d : 0;

    private static JsonElement Get(JsonElement e, string property, string file, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v)
            ? v
            : throw new GraphDefinitionException(file, $"{where}: missing '{property}'");

    private static string Text(JsonElement e, string property, string file, string where) =>
        Get(e, property, file, where) is { ValueKind: JsonValueKind.String } v
            ? v.GetString()!
            : throw new GraphDefinitionException(file, $"{where}: '{property}' must be a string");

    /// <summary>An optional string property: null when absent or null.</summary>
    private static string? OptionalText(JsonElement e, string property, string file, string where) =>
        !e.TryGetProperty(property, out var v) || v.ValueKind == JsonValueKind.Null ? null : Text(e, property, file, where);

    private static int Int(JsonElement e, string property, string file, string where) =>
        Get(e, property, file, where) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int i)
            ? i
            : throw new GraphDefinitionException(file, $"{where}: '{property}' must be an integer");

    private static double Real(JsonElement e, string property, string file, string where) =>
        Get(e, property, file, where) is { ValueKind: JsonValueKind.Number } v && v.TryGetDouble(out double d) && double.IsFinite(d)
            ? d
            : throw new GraphDefinitionException(file, $"{where}: '{property}' must be a finite number");

    /// <summary>A boolean property; false when absent, unless <paramref name="required"/>.</summary>
    private static bool Flag(JsonElement e, string property, string file, string where, bool required = false)
    {
        if (!required && !e.TryGetProperty(property, out _))
        {
            return false;
        }

        return Get(e, property, file, where).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new GraphDefinitionException(file, $"{where}: '{property}' must be true or false"),
        };
    }

    private static JsonElement.ArrayEnumerator Items(JsonElement e, string property, string file, string where) =>
        Get(e, property, file, where) is { ValueKind: JsonValueKind.Array } v
            ? v.EnumerateArray()
            : throw new GraphDefinitionException(file, $"{where}: '{property}' must be an array");

    private static T ParseEnum<T>(string text, string file, string where, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && !char.IsAsciiDigit(text.TrimStart().TrimStart('-', '+').FirstOrDefault()) // names, not numbers
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
