using System.Text.Json;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Placement;

/// <summary>Placement costs given as tables (profiled times and prices), as the paper's worked example gives them.</summary>
public sealed class TableCosts : IPlacementCosts
{
    private readonly Dictionary<(string Node, string Device), (double Seconds, double Cost)> _nodes = new();
    private readonly Dictionary<(string Producer, string From, string To), (double Seconds, double Cost)> _transfers = new();

    /// <summary>Reads a cost table file (<c>agentdsl plan --costs</c>).</summary>
    /// <exception cref="CatalogException">Malformed: the message names the file, the row and the field.</exception>
    public static TableCosts Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>
    /// Parses a cost table: profiled times and per-request prices of each node on each device type, and of each transfer
    /// between two types, as the paper's worked example gives them (comments and trailing commas allowed):
    /// <c>{ "nodes": [ { "node": "prefill", "device": "HP", "ms": 80, "usd": 0.08 } ],
    /// "transfers": [ { "producer": "prefill", "from": "HP", "to": "CO", "ms": 10, "usd": 0.005 } ] }</c>.
    /// A node may run only on the device types it has a row for; a transfer without a row is free.
    /// </summary>
    /// <exception cref="CatalogException">Malformed: the message names the file, the row and the field.</exception>
    public static TableCosts Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CatalogException($"{file}({ex.LineNumber + 1},{ex.BytePositionInLine + 1})", null, null, ex.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
            {
                throw new CatalogException(file, null, "nodes", "a cost table is an object with a 'nodes' array");
            }

            var table = new TableCosts();
            int index = 0;
            foreach (var row in nodes.EnumerateArray())
            {
                string where = $"nodes[{index++}]";
                table.Node(Text(row, "node", where), Text(row, "device", where), Number(row, "ms", where) / 1000, Number(row, "usd", where));
            }

            if (root.TryGetProperty("transfers", out var transfers))
            {
                if (transfers.ValueKind != JsonValueKind.Array)
                {
                    throw new CatalogException(file, null, "transfers", "must be an array");
                }

                index = 0;
                foreach (var row in transfers.EnumerateArray())
                {
                    string where = $"transfers[{index++}]";
                    table.Transfer(Text(row, "producer", where), Text(row, "from", where), Text(row, "to", where), Number(row, "ms", where) / 1000, Number(row, "usd", where));
                }
            }

            return table;
        }

        string Text(JsonElement row, string field, string where) =>
            row.ValueKind == JsonValueKind.Object && row.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } text
                ? text
                : throw new CatalogException(file, null, where + "." + field, "required: a non-empty string");

        double Number(JsonElement row, string field, string where) =>
            row.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d) && d >= 0
                ? d
                : throw new CatalogException(file, null, where + "." + field, "required: a non-negative number");
    }

    /// <summary>Whether the table has a row for <paramref name="node"/> on any device type.</summary>
    public bool Covers(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _nodes.Keys.Any(k => k.Node == node.Name);
    }

    /// <summary>Sets a node's time and price on a device type (by <see cref="Catalog.DeviceSpec.Name"/>).</summary>
    public TableCosts Node(string node, string deviceType, double seconds, double cost)
    {
        _nodes[(node, deviceType)] = (seconds, cost);
        return this;
    }

    /// <summary>Sets the time and price of moving a producer's result between two device types.</summary>
    public TableCosts Transfer(string producer, string fromType, string toType, double seconds, double cost)
    {
        _transfers[(producer, fromType, toType)] = (seconds, cost);
        return this;
    }

    /// <inheritdoc/>
    public double Seconds(NodeDefinition node, PlanDevice device) => _nodes[(node.Name, device.Spec.Name)].Seconds;

    /// <inheritdoc/>
    public bool Fits(NodeDefinition node, PlanDevice device) => _nodes.ContainsKey((node.Name, device.Spec.Name));

    /// <inheritdoc/>
    public double Cost(NodeDefinition node, PlanDevice device) => _nodes[(node.Name, device.Spec.Name)].Cost;

    /// <inheritdoc/>
    public double TransferSeconds(NodeDefinition producer, PlanDevice from, PlanDevice to) =>
        from.Name == to.Name ? 0 : _transfers.TryGetValue((producer.Name, from.Spec.Name, to.Spec.Name), out var t) ? t.Seconds : 0;

    /// <inheritdoc/>
    public double TransferCost(NodeDefinition producer, PlanDevice from, PlanDevice to) =>
        from.Name == to.Name ? 0 : _transfers.TryGetValue((producer.Name, from.Spec.Name, to.Spec.Name), out var t) ? t.Cost : 0;
}
