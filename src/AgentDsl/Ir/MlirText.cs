// The one MLIR writer: GraphExport.ToMlir and the generated graphs' Mlir property (which calls GraphExport.ToMlir on
// the generated Definition) both come here, from the one model (GraphDefinition), so a new IR field is one edit.
// Names come from the enums (kind, precision) or from exhaustive switches that a test walks over every member
// (tests/AgentDsl.Tests/MlirNamesTests.cs), so a new enum member without an MLIR name fails the build's tests.
using System.Globalization;
using System.Text;

namespace AgentDsl.Ir;

/// <summary>Writes a <see cref="GraphDefinition"/> in MLIR generic syntax, in the <c>agent</c> dialect family, for <c>mlir-opt --allow-unregistered-dialect</c>.</summary>
internal static class MlirText
{
    /// <summary>The MLIR operation of a node of this kind (<c>agent.compute</c>, <c>tool.invoke</c>, …).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A kind without an MLIR operation (add it here).</exception>
    public static string OpName(OperatorKind kind) => kind switch
    {
        OperatorKind.Compute => "agent.compute",
        OperatorKind.Tool => "tool.invoke",
        OperatorKind.Memory => "memory.load",
        OperatorKind.Model => "model.run",
        OperatorKind.Llm => "llm.generate",
        OperatorKind.Kernel => "kernel.launch",
        OperatorKind.Agent => "agent.call",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No MLIR operation for this operator kind."),
    };

    /// <summary>The MLIR operation of a decomposed LLM phase; null for <see cref="NodePhase.None"/> (the kind's own).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A phase without an MLIR operation (add it here).</exception>
    public static string? PhaseOpName(NodePhase phase) => phase switch
    {
        NodePhase.None => null,
        NodePhase.Prefill => "llm.prefill",
        NodePhase.KvTransfer => "kv.transfer",
        NodePhase.Decode => "llm.decode",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "No MLIR operation for this phase."),
    };

    /// <summary>The name of a kind in the IR texts: the enum member's name in lower case (<c>compute</c>, <c>llm</c>, …).</summary>
    public static string KindName(OperatorKind kind) => EnumName(kind);

    /// <summary>The name of a precision in the IR texts: the enum member's name in lower case (<c>fp16</c>, <c>int4</c>, …).</summary>
    public static string PrecisionName(Precision precision) => EnumName(precision);

    private static string EnumName<T>(T value)
        where T : struct, Enum =>
        Enum.IsDefined(value) ? value.ToString().ToLowerInvariant() : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a named member.");

    /// <summary>The graph as MLIR generic syntax.</summary>
    public static string Write(GraphDefinition graph)
    {
        var sb = new StringBuilder();
        sb.Append("// AgentDsl graph '").Append(graph.Name).Append("' (").Append(graph.TypeName).Append('.').Append(graph.Flow).Append(")\n");
        sb.Append("\"builtin.module\"() ({\n");
        sb.Append("  \"agent.graph\"() ({\n");
        sb.Append("  ^bb0(");
        for (int i = 0; i < graph.Inputs.Length; i++)
        {
            sb.Append(i > 0 ? ", " : string.Empty)
              .Append("%arg").Append(i.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(ValueType(graph.Inputs[i].Type));
        }

        sb.Append("):\n");
        foreach (var node in graph.Nodes)
        {
            WriteNode(sb, node);
        }

        string output = ValueType(graph.OutputType);
        if (graph.Returns.Length > 1)
        {
            // Conditional returns: agent.select picks the candidate whose guards hold, and the graph returns it.
            sb.Append("    %ret = \"agent.select\"(").Append(string.Join(", ", graph.Returns.Select(r => Ssa(r.Value))))
              .Append(") {guards = [").Append(string.Join(", ", graph.Returns.Select(r => Guards(r.Guards))))
              .Append("]} : (").Append(string.Join(", ", graph.Returns.Select(_ => output)))
              .Append(") -> ").Append(output).Append('\n');
            sb.Append("    \"agent.return\"(%ret) : (").Append(output).Append(") -> ()\n");
        }
        else if (graph.Output is { } value)
        {
            sb.Append("    \"agent.return\"(").Append(Ssa(value)).Append(") : (").Append(output).Append(") -> ()\n");
        }
        else
        {
            sb.Append("    \"agent.return\"() : () -> ()\n");
        }

        sb.Append("  }) {sym_name = ").Append(Str(graph.Name))
          .Append(", type_name = ").Append(Str(graph.TypeName))
          .Append(", flow = ").Append(Str(graph.Flow))
          .Append(", arg_names = [").Append(string.Join(", ", graph.Inputs.Select(i => Str(i.Name)))).Append(']');
        if (graph.Sla.LatencyMs > 0)
        {
            sb.Append(", sla_ms = ").Append(F64(graph.Sla.LatencyMs)).Append(", sla_percentile = ").Append(F64(graph.Sla.Percentile));
        }

        sb.Append("} : () -> ()\n");
        sb.Append("}) : () -> ()\n");
        return sb.ToString();
    }

    /// <summary>A guard as MLIR text: <c>n3</c> (node 3 returned true) or <c>!n3</c>, with <c>@0.25</c> when a probability is known.</summary>
    public static string GuardText(NodeGuard guard) =>
        (guard.When ? "n" : "!n") + guard.Node.ToString(CultureInfo.InvariantCulture)
        + (guard.Probability is double p ? "@" + p.ToString("R", CultureInfo.InvariantCulture) : string.Empty);

    private static string Guards(IEnumerable<NodeGuard> guards) => "[" + string.Join(", ", guards.Select(g => Str(GuardText(g)))) + "]";

    private static void WriteNode(StringBuilder sb, NodeDefinition node)
    {
        // Operands: graph inputs and node results; a fan-out's element is its collection, named "each:<parameter>".
        var operands = new List<(string Parameter, string Type, ValueRef Value)>();
        foreach (var input in node.Inputs)
        {
            if (input.Value.Source is ValueSource.Input or ValueSource.Node)
            {
                operands.Add((input.Parameter, input.Type, input.Value));
            }
            else if (input.Value.Source == ValueSource.Element && node.FanOut is { } collection)
            {
                operands.Add(("each:" + input.Parameter, input.Type + "[]", collection));
            }
        }

        sb.Append("    ");
        if (node.HasResult)
        {
            sb.Append("%n").Append(node.Id.ToString(CultureInfo.InvariantCulture)).Append(" = ");
        }

        sb.Append('"').Append(node.Merge ? "agent.merge" : PhaseOpName(node.Phase) ?? OpName(node.Kind)).Append("\"(")
          .Append(string.Join(", ", operands.Select(o => Ssa(o.Value))))
          .Append(") {name = ").Append(Str(node.Name))
          .Append(", operator = ").Append(Str(node.Operator))
          .Append(", kind = ").Append(Str(KindName(node.Kind)))
          .Append(", operand_params = [").Append(string.Join(", ", operands.Select(o => Str(o.Parameter)))).Append(']');
        var constants = node.Inputs.Where(i => i.Value.Source == ValueSource.Constant).ToList();
        if (constants.Count > 0)
        {
            sb.Append(", constants = {").Append(string.Join(", ", constants.Select(c => Ident(c.Parameter) + " = " + Str(c.ConstantText ?? string.Empty)))).Append('}');
        }

        if (node.IsAsync)
        {
            sb.Append(", async");
        }

        if (node.Guards.Count > 0)
        {
            sb.Append(", guards = ").Append(Guards(node.Guards));
        }

        if (node.FanOut is not null)
        {
            sb.Append(", fan_out");
        }

        if (node.Subgraph is { } subgraph)
        {
            sb.Append(", subgraph = ").Append(Str(subgraph.TypeName));
        }

        if (node.Loop is { } loop)
        {
            sb.Append(", loop = {id = ").Append(loop.Loop.ToString(CultureInfo.InvariantCulture))
              .Append(" : i64, iteration = ").Append(loop.Iteration.ToString(CultureInfo.InvariantCulture))
              .Append(" : i64, bound = ").Append(loop.Bound.ToString(CultureInfo.InvariantCulture)).Append(" : i64}");
        }

        var cost = node.Cost;
        OptionalF64(sb, "flops", cost.Flops);
        OptionalF64(sb, "bytes_moved", cost.BytesMoved);
        OptionalF64(sb, "memory_bytes", cost.MemoryFootprintBytes);
        OptionalF64(sb, "output_bytes", node.OutputBytes);
        if (cost.AllowedDevices != DeviceKinds.Any)
        {
            sb.Append(", allowed_devices = ").Append(((int)cost.AllowedDevices).ToString(CultureInfo.InvariantCulture)).Append(" : i32");
        }

        if (cost.PreferredDevices != DeviceKinds.None)
        {
            sb.Append(", preferred_devices = ").Append(((int)cost.PreferredDevices).ToString(CultureInfo.InvariantCulture)).Append(" : i32");
        }

        if (cost.Batchable)
        {
            sb.Append(", batchable");
        }

        if (cost.SafeToRetry)
        {
            sb.Append(", safe_to_retry");
        }

        if (cost.Model is { } model && (model.Name != null || model.Parameters > 0 || model.Layers > 0))
        {
            var parts = new List<string>();
            if (model.Name != null)
            {
                parts.Add("name = " + Str(model.Name));
            }

            if (model.Parameters > 0)
            {
                parts.Add("parameters = " + F64(model.Parameters));
            }

            AddInt(parts, "layers", model.Layers);
            AddInt(parts, "hidden_size", model.HiddenSize);
            AddInt(parts, "heads", model.Heads);
            AddInt(parts, "kv_heads", model.KvHeads);
            if (model.Precision != Precision.Unspecified)
            {
                parts.Add("precision = " + Str(PrecisionName(model.Precision)));
            }

            AddInt(parts, "prompt_tokens", model.PromptTokens);
            AddInt(parts, "output_tokens", model.OutputTokens);
            sb.Append(", model = {").Append(string.Join(", ", parts)).Append('}');
        }

        sb.Append("} : (").Append(string.Join(", ", operands.Select(o => ValueType(o.Type))))
          .Append(") -> ").Append(node.HasResult ? ValueType(node.ResultType) : "()");
        if (node.Source is { Line: > 0 } source)
        {
            sb.Append(" loc(").Append(Str(source.File)).Append(':').Append(source.Line.ToString(CultureInfo.InvariantCulture))
              .Append(':').Append(source.Column.ToString(CultureInfo.InvariantCulture)).Append(')');
        }

        sb.Append('\n');
    }

    private static void AddInt(List<string> parts, string name, int value)
    {
        if (value > 0)
        {
            parts.Add(name + " = " + value.ToString(CultureInfo.InvariantCulture) + " : i64");
        }
    }

    private static void OptionalF64(StringBuilder sb, string name, double value)
    {
        if (value > 0 && !double.IsInfinity(value) && !double.IsNaN(value))
        {
            sb.Append(", ").Append(name).Append(" = ").Append(F64(value));
        }
    }

    private static string Ssa(ValueRef value) =>
        (value.Source == ValueSource.Input ? "%arg" : "%n") + value.Index.ToString(CultureInfo.InvariantCulture);

    private static string ValueType(string csharpType) => "!agent.value<" + Str(csharpType) + ">";

    /// <summary>An MLIR float literal with an explicit type: always has a '.' before any exponent.</summary>
    internal static string F64(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        int e = text.IndexOfAny(new[] { 'E', 'e' });
        string mantissa = e < 0 ? text : text.Substring(0, e);
        string exponent = e < 0 ? string.Empty : "e" + text.Substring(e + 1);
        if (mantissa.IndexOf('.') < 0)
        {
            mantissa += ".0";
        }

        return mantissa + exponent + " : f64";
    }

    /// <summary>An MLIR bare identifier for a dictionary key; C# identifiers qualify, anything else is quoted.</summary>
    private static string Ident(string name)
    {
        foreach (char c in name)
        {
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            {
                return Str(name);
            }
        }

        return name.Length == 0 || (name[0] >= '0' && name[0] <= '9') ? Str(name) : name;
    }

    /// <summary>An MLIR string literal: printable ASCII kept, everything else as \XX hex escapes of its UTF-8 bytes.</summary>
    internal static string Str(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (b >= 0x20 && b < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('\\').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.Append('"').ToString();
    }
}
