using AgentDsl.Ir;

namespace AgentDsl.Onnx;

/// <summary>The C# type of an embedding node's result, which decides how the vector is stored.</summary>
internal enum EmbeddingResult
{
    /// <summary>Not an embedding node.</summary>
    None,

    /// <summary><c>float[]</c>: the vector itself.</summary>
    Array,

    /// <summary><c>ReadOnlyMemory&lt;float&gt;</c> over the vector.</summary>
    Memory,

    /// <summary><c>IReadOnlyList&lt;float&gt;</c>: the vector itself.</summary>
    List,
}

/// <summary>
/// The one rule for which nodes are text → embedding: exactly one argument besides a <see cref="CancellationToken"/>, a
/// <c>string</c> that is a graph input or an earlier node's result; a result of <c>float[]</c>,
/// <c>ReadOnlyMemory&lt;float&gt;</c> or <c>IReadOnlyList&lt;float&gt;</c> (directly or in a Task / ValueTask); no fan-out,
/// subgraph or merge. Type names are compared without <c>global::</c>, namespaces and a trailing <c>?</c>.
/// </summary>
internal static class EmbeddingShape
{
    /// <summary>The node's result kind, or <see cref="EmbeddingResult.None"/> when the node is not text → embedding.</summary>
    public static EmbeddingResult Of(NodeDefinition node)
    {
        if (node.FanOut is not null || node.Subgraph is not null || node.Merge || TextInput(node) is null)
        {
            return EmbeddingResult.None;
        }

        return Simple(node.ResultType) switch
        {
            "float[]" or "Single[]" => EmbeddingResult.Array,
            "ReadOnlyMemory<float>" or "ReadOnlyMemory<Single>" => EmbeddingResult.Memory,
            "IReadOnlyList<float>" or "IReadOnlyList<Single>" => EmbeddingResult.List,
            _ => EmbeddingResult.None,
        };
    }

    /// <summary>The node's single text argument, or null when it has not exactly one data argument, a string read from a graph input or a node.</summary>
    public static NodeInput? TextInput(NodeDefinition node)
    {
        NodeInput? text = null;
        foreach (var input in node.Inputs)
        {
            if (input.Value.Source == ValueSource.CancellationToken)
            {
                continue;
            }

            if (text is not null || input.Value.Source is not (ValueSource.Input or ValueSource.Node) || Simple(input.Type) is not ("string" or "String"))
            {
                return null;
            }

            text = input;
        }

        return text;
    }

    /// <summary>Stores <paramref name="vector"/> as the result type <paramref name="kind"/> names.</summary>
    public static object Box(EmbeddingResult kind, float[] vector) => kind == EmbeddingResult.Memory ? new ReadOnlyMemory<float>(vector) : (object)vector;

    /// <summary>The type name without <c>global::</c>, the namespaces of <c>System</c> and a trailing <c>?</c>.</summary>
    private static string Simple(string type) => type
        .Replace("global::", "", StringComparison.Ordinal)
        .Replace("System.Collections.Generic.", "", StringComparison.Ordinal)
        .Replace("System.", "", StringComparison.Ordinal)
        .TrimEnd('?');
}
