using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentDsl.Fuzz.Tests;

/// <summary>
/// Random and mutated JSON for the readers: byte and character edits of valid files, structural edits of their
/// values (wrong types, huge and fractional numbers, empty and long strings, duplicate and removed keys, deep nesting),
/// and documents written from scratch.
/// </summary>
internal static class JsonFuzzer
{
    private const string Noise = "{}[],:\"\\0123456789eE.-+ ntrufalsenul\n\t/";

    public static string Mutate(Random r, string sample)
    {
        int edits = r.Next(1, 4);
        string text = sample;
        for (int i = 0; i < edits; i++)
        {
            text = r.Next(10) switch
            {
                < 4 => TryStructural(r, text) ?? Textual(r, text),
                < 8 => Textual(r, text),
                8 => Nest(r, text),
                _ => Random(r, depth: 0),
            };
        }

        return text;
    }

    /// <summary>A character-level edit: replace, insert, delete, duplicate or cut a span.</summary>
    private static string Textual(Random r, string text)
    {
        if (text.Length == 0)
        {
            return Noise[r.Next(Noise.Length)].ToString();
        }

        int at = r.Next(text.Length);
        int length = Math.Min(text.Length - at, r.Next(1, 40));
        char c = r.Next(20) == 0 ? (char)r.Next(0, 0xFFFF) : Noise[r.Next(Noise.Length)];
        return r.Next(5) switch
        {
            0 => text[..at] + c + text[(at + 1)..],
            1 => text[..at] + c + text[at..],
            2 => text[..at] + text[(at + length)..],
            3 => text[..at] + text.Substring(at, length) + text[at..],
            _ => text[..at],
        };
    }

    /// <summary>Wraps a span of the text (or the whole) in many brackets: deep nesting, 100 to 100,000 levels.</summary>
    private static string Nest(Random r, string text)
    {
        int depth = r.Next(3) switch { 0 => r.Next(60, 70), 1 => r.Next(100, 1000), _ => 100_000 };
        int at = text.Length == 0 ? 0 : r.Next(text.Length);
        bool objects = r.Next(2) == 0;
        var sb = new StringBuilder(text.Length + (depth * 8));
        sb.Append(text, 0, at);
        for (int i = 0; i < depth; i++)
        {
            sb.Append(objects ? "{\"a\":" : "[");
        }

        sb.Append('1');
        for (int i = 0; i < depth; i++)
        {
            sb.Append(objects ? '}' : ']');
        }

        sb.Append(text, at, text.Length - at);
        return sb.ToString();
    }

    /// <summary>A structural edit, or null when the text is not a document JsonNode can edit (invalid, duplicate keys).</summary>
    private static string? TryStructural(Random r, string text)
    {
        try
        {
            return Structural(r, text);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>An edit of one value of the parsed document; null when the text does not parse.</summary>
    private static string? Structural(Random r, string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        if (root is null)
        {
            return null;
        }

        var all = new List<JsonNode>();
        Collect(root, all);
        var target = all[r.Next(all.Count)];
        var parent = target.Parent;
        if (parent is null)
        {
            return Random(r, 0);
        }

        switch (r.Next(4))
        {
            case 0 when parent is JsonObject obj:
            {
                // Remove the property, or duplicate it in the text (JsonObject keeps keys unique).
                string key = target.GetPropertyName();
                if (r.Next(2) == 0)
                {
                    obj.Remove(key);
                    return root.ToJsonString();
                }

                string json = root.ToJsonString();
                string needle = System.Text.Json.JsonSerializer.Serialize(key) + ":";
                int at = json.IndexOf(needle, StringComparison.Ordinal);
                return at < 0 ? json : json[..at] + needle + RandomValue(r) + "," + json[at..];
            }

            case 1 when parent is JsonArray array:
                array.Add(target.DeepClone());
                return root.ToJsonString();
            default:
            {
                var replacement = JsonNode.Parse(RandomValue(r));
                if (parent is JsonObject o)
                {
                    o[target.GetPropertyName()] = replacement;
                }
                else if (parent is JsonArray a)
                {
                    a[a.IndexOf(target)] = replacement;
                }

                return root.ToJsonString();
            }
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> all)
    {
        all.Add(node);
        if (node is JsonObject o)
        {
            foreach (var (_, v) in o)
            {
                if (v is not null)
                {
                    Collect(v, all);
                }
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var v in a)
            {
                if (v is not null)
                {
                    Collect(v, all);
                }
            }
        }
    }

    /// <summary>A value that breaks expectations: wrong types, extreme numbers, odd strings.</summary>
    private static string RandomValue(Random r) => r.Next(22) switch
    {
        0 => "null",
        1 => "true",
        2 => "\"\"",
        3 => "1e400",
        4 => "-1e400",
        5 => "1e308",
        6 => "99999999999999999999999",
        7 => "-1",
        8 => "0.5",
        9 => "-0",
        10 => "2147483648",
        11 => "[]",
        12 => "{}",
        13 => "\"" + new string('x', r.Next(1, 5000)) + "\"",
        14 => "\"None\"",
        15 => "\"Any\"",
        16 => "\"node99\"",
        17 => "\"input-1\"",
        18 => "\"\\u0000\"",
        19 => "[1, \"a\", null, {}]",
        20 => "1.7976931348623157e308",
        _ => Random(r, 1),
    };

    /// <summary>A random document.</summary>
    public static string Random(Random r, int depth)
    {
        int roll = r.Next(depth > 4 ? 4 : 7);
        switch (roll)
        {
            case 0: return r.Next(2) == 0 ? "null" : "false";
            case 1: return (r.NextDouble() * Math.Pow(10, r.Next(-5, 400))).ToString("R", CultureInfo.InvariantCulture).Replace("∞", "1e999", StringComparison.Ordinal);
            case 2: return "\"" + Words[r.Next(Words.Length)] + "\"";
            case 3: return r.Next(-3, 100).ToString(CultureInfo.InvariantCulture);
            case 4:
            case 5:
            {
                var parts = Enumerable.Range(0, r.Next(0, 5)).Select(_ => "\"" + Words[r.Next(Words.Length)] + "\": " + Random(r, depth + 1));
                return "{" + string.Join(", ", parts) + "}";
            }

            default:
                return "[" + string.Join(", ", Enumerable.Range(0, r.Next(0, 5)).Select(_ => Random(r, depth + 1))) + "]";
        }
    }

    private static readonly string[] Words =
    [
        "devices", "catalog", "count", "spec", "name", "kind", "pricing", "hourlyUsd", "fp32Tflops", "value", "source", "fp16Tflops", "dense",
        "memoryGB", "memoryBandwidthGBs", "hostLink", "bandwidthGBs", "powerW", "nodes", "inputs", "id", "operator", "resultType", "from",
        "guards", "node", "when", "sla", "latencyMs", "percentile", "returns", "merge", "fanOut", "subgraph", "loop", "H100-SXM", "Gpu", "",
    ];
}
