// Shared source: compiled into AgentDsl (runtime export) and AgentDsl.Generators (the compile-time
// constant), so the two MLIR texts of a graph come from one writer and cannot drift.
#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AgentDsl.Ir.Text
{
    /// <summary>A graph as the MLIR writer sees it: plain data both the generator and the runtime can fill.</summary>
    internal sealed class MlirGraph
    {
        public string Name = "";
        public string TypeName = "";
        public string Flow = "";
        public double SlaMs;
        public double Percentile;
        public List<KeyValuePair<string, string>> Inputs = new List<KeyValuePair<string, string>>();
        public List<MlirNode> Nodes = new List<MlirNode>();

        /// <summary>0 = input, 1 = node; -1 = no output.</summary>
        public int OutputSource = -1;
        public int OutputIndex;
        public string OutputType = "void";

        /// <summary>Conditional returns (two or more): each value (source, index) with its guard texts; empty otherwise.</summary>
        public List<MlirReturn> Returns = new List<MlirReturn>();
    }

    internal sealed class MlirReturn
    {
        public int Source;
        public int Index;
        public List<string> Guards = new List<string>();
    }

    internal sealed class MlirNode
    {
        public string Name = "";
        public string Operator = "";
        public int Kind;

        /// <summary>0 = none, 1 = prefill, 2 = KV transfer, 3 = decode.</summary>
        public int Phase = 0;
        public double OutputBytes = 0;
        public string ResultType = "void";
        public bool IsAsync;
        public List<MlirArg> Args = new List<MlirArg>();
        public double Flops;
        public double BytesMoved;
        public double MemoryFootprintBytes;
        public int AllowedDevices = 15;
        public int PreferredDevices;
        public bool Batchable;
        public bool SafeToRetry;
        public string? ModelName;
        public double ModelParameters;
        public int Layers;
        public int HiddenSize;
        public int Heads;
        public int KvHeads;
        public int Precision;
        public int PromptTokens;
        public int OutputTokens;
        public string? File;

        /// <summary>Guards as text: <c>n3</c> (node 3 returned true), <c>!n3</c> (returned false).</summary>
        public List<string> Guards = new List<string>();

        /// <summary>Unrolled-loop position (-1 = none).</summary>
        public int LoopId = -1;
        public int LoopIteration;
        public int LoopBound;

        /// <summary>A merge node (agent.merge).</summary>
        public bool Merge;

        /// <summary>For a nested-graph node: the called graph's type name; null otherwise.</summary>
        public string? Subgraph;

        /// <summary>For a fan-out node: the collection (0 = input, 1 = node); -1 otherwise.</summary>
        public int FanOutSource = -1;
        public int FanOutIndex;
        public int Line;
        public int Column;
    }

    internal sealed class MlirArg
    {
        public string Parameter = "";
        public string Type = "";

        /// <summary>0 = graph input, 1 = node result, 2 = constant, 3 = cancellation token, 4 = fan-out element.</summary>
        public int Source;
        public int Index;
        public string? ConstantText;
    }

    /// <summary>Writes a graph in MLIR generic syntax, in the <c>agent</c> dialect family, for <c>mlir-opt --allow-unregistered-dialect</c>.</summary>
    internal static class MlirText
    {
        private static readonly string[] OpNames =
        {
            "agent.compute", "tool.invoke", "memory.load", "model.run", "llm.generate", "kernel.launch", "agent.call",
        };

        private static readonly string[] KindNames =
        {
            "compute", "tool", "memory", "model", "llm", "kernel", "agent",
        };

        private static readonly string[] PrecisionNames =
        {
            "unspecified", "fp32", "fp16", "bf16", "fp8", "int8", "int4",
        };

        public static string OpName(int kind) => kind >= 0 && kind < OpNames.Length ? OpNames[kind] : "agent.op";

        public static string KindName(int kind) => kind >= 0 && kind < KindNames.Length ? KindNames[kind] : "unknown";

        public static string Write(MlirGraph graph)
        {
            var sb = new StringBuilder();
            sb.Append("// AgentDsl graph '").Append(graph.Name).Append("' (").Append(graph.TypeName).Append('.').Append(graph.Flow).Append(")\n");
            sb.Append("\"builtin.module\"() ({\n");
            sb.Append("  \"agent.graph\"() ({\n");
            sb.Append("  ^bb0(");
            for (int i = 0; i < graph.Inputs.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                sb.Append("%arg").Append(i.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(ValueType(graph.Inputs[i].Value));
            }

            sb.Append("):\n");

            for (int id = 0; id < graph.Nodes.Count; id++)
            {
                WriteNode(sb, id, graph.Nodes[id], graph);
            }

            string output = ValueType(graph.OutputType);
            if (graph.Returns.Count > 1)
            {
                // Conditional returns: agent.select picks the candidate whose guards hold, and the graph returns it.
                sb.Append("    %ret = \"agent.select\"(");
                for (int i = 0; i < graph.Returns.Count; i++)
                {
                    sb.Append(i > 0 ? ", " : string.Empty).Append(Ssa(graph.Returns[i].Source, graph.Returns[i].Index));
                }

                sb.Append(") {guards = [");
                for (int i = 0; i < graph.Returns.Count; i++)
                {
                    sb.Append(i > 0 ? ", " : string.Empty).Append(StrArray(graph.Returns[i].Guards));
                }

                sb.Append("]} : (");
                for (int i = 0; i < graph.Returns.Count; i++)
                {
                    sb.Append(i > 0 ? ", " : string.Empty).Append(output);
                }

                sb.Append(") -> ").Append(output).Append('\n');
                sb.Append("    \"agent.return\"(%ret) : (").Append(output).Append(") -> ()\n");
            }
            else if (graph.OutputSource >= 0)
            {
                sb.Append("    \"agent.return\"(").Append(Ssa(graph.OutputSource, graph.OutputIndex)).Append(") : (").Append(output).Append(") -> ()\n");
            }
            else
            {
                sb.Append("    \"agent.return\"() : () -> ()\n");
            }

            sb.Append("  }) {sym_name = ").Append(Str(graph.Name))
              .Append(", type_name = ").Append(Str(graph.TypeName))
              .Append(", flow = ").Append(Str(graph.Flow))
              .Append(", arg_names = [");
            for (int i = 0; i < graph.Inputs.Count; i++)
            {
                sb.Append(i > 0 ? ", " : string.Empty).Append(Str(graph.Inputs[i].Key));
            }

            sb.Append(']');
            if (graph.SlaMs > 0)
            {
                sb.Append(", sla_ms = ").Append(F64(graph.SlaMs)).Append(", sla_percentile = ").Append(F64(graph.Percentile));
            }

            sb.Append("} : () -> ()\n");
            sb.Append("}) : () -> ()\n");
            return sb.ToString();
        }

        private static string StrArray(List<string> items)
        {
            var sb = new StringBuilder("[");
            for (int i = 0; i < items.Count; i++)
            {
                sb.Append(i > 0 ? ", " : string.Empty).Append(Str(items[i]));
            }

            return sb.Append(']').ToString();
        }

        /// <summary>The text of a guard: <c>n3</c> or <c>!n3</c>, with <c>@0.25</c> when a probability is known.</summary>
        public static string GuardText(int node, bool when, double? probability) =>
            (when ? "n" : "!n") + node.ToString(CultureInfo.InvariantCulture)
            + (probability is double p ? "@" + p.ToString("R", CultureInfo.InvariantCulture) : string.Empty);

        private static void WriteNode(StringBuilder sb, int id, MlirNode node, MlirGraph graph)
        {
            var operands = new List<MlirArg>();
            foreach (var arg in node.Args)
            {
                if (arg.Source == 0 || arg.Source == 1)
                {
                    operands.Add(arg);
                }
                else if (arg.Source == 4 && node.FanOutSource >= 0)
                {
                    // The collection is the operand; operand_params names it "each:<parameter>".
                    operands.Add(new MlirArg { Parameter = "each:" + arg.Parameter, Type = arg.Type + "[]", Source = node.FanOutSource, Index = node.FanOutIndex });
                }
            }

            sb.Append("    ");
            bool hasResult = node.ResultType != "void";
            if (hasResult)
            {
                sb.Append("%n").Append(id.ToString(CultureInfo.InvariantCulture)).Append(" = ");
            }

            sb.Append('"').Append(node.Merge ? "agent.merge" : node.Phase == 1 ? "llm.prefill" : node.Phase == 2 ? "kv.transfer" : node.Phase == 3 ? "llm.decode" : OpName(node.Kind)).Append("\"(");
            for (int i = 0; i < operands.Count; i++)
            {
                sb.Append(i > 0 ? ", " : string.Empty).Append(Ssa(operands[i].Source, operands[i].Index));
            }

            sb.Append(") {name = ").Append(Str(node.Name))
              .Append(", operator = ").Append(Str(node.Operator))
              .Append(", kind = ").Append(Str(KindName(node.Kind)))
              .Append(", operand_params = [");
            for (int i = 0; i < operands.Count; i++)
            {
                sb.Append(i > 0 ? ", " : string.Empty).Append(Str(operands[i].Parameter));
            }

            sb.Append(']');
            bool anyConstant = false;
            foreach (var arg in node.Args)
            {
                if (arg.Source == 2)
                {
                    sb.Append(anyConstant ? ", " : ", constants = {").Append(Ident(arg.Parameter)).Append(" = ").Append(Str(arg.ConstantText ?? string.Empty));
                    anyConstant = true;
                }
            }

            if (anyConstant)
            {
                sb.Append('}');
            }

            if (node.IsAsync)
            {
                sb.Append(", async");
            }

            if (node.Guards.Count > 0)
            {
                sb.Append(", guards = ").Append(StrArray(node.Guards));
            }

            if (node.FanOutSource >= 0)
            {
                sb.Append(", fan_out");
            }

            if (node.Subgraph != null)
            {
                sb.Append(", subgraph = ").Append(Str(node.Subgraph));
            }

            if (node.LoopId >= 0)
            {
                sb.Append(", loop = {id = ").Append(node.LoopId.ToString(CultureInfo.InvariantCulture))
                  .Append(" : i64, iteration = ").Append(node.LoopIteration.ToString(CultureInfo.InvariantCulture))
                  .Append(" : i64, bound = ").Append(node.LoopBound.ToString(CultureInfo.InvariantCulture)).Append(" : i64}");
            }

            OptionalF64(sb, "flops", node.Flops);
            OptionalF64(sb, "bytes_moved", node.BytesMoved);
            OptionalF64(sb, "memory_bytes", node.MemoryFootprintBytes);
            OptionalF64(sb, "output_bytes", node.OutputBytes);
            if (node.AllowedDevices != 15)
            {
                sb.Append(", allowed_devices = ").Append(node.AllowedDevices.ToString(CultureInfo.InvariantCulture)).Append(" : i32");
            }

            if (node.PreferredDevices != 0)
            {
                sb.Append(", preferred_devices = ").Append(node.PreferredDevices.ToString(CultureInfo.InvariantCulture)).Append(" : i32");
            }

            if (node.Batchable)
            {
                sb.Append(", batchable");
            }

            if (node.SafeToRetry)
            {
                sb.Append(", safe_to_retry");
            }

            if (node.ModelName != null || node.ModelParameters > 0 || node.Layers > 0)
            {
                sb.Append(", model = {");
                var parts = new List<string>();
                if (node.ModelName != null)
                {
                    parts.Add("name = " + Str(node.ModelName));
                }

                if (node.ModelParameters > 0)
                {
                    parts.Add("parameters = " + F64(node.ModelParameters));
                }

                AddInt(parts, "layers", node.Layers);
                AddInt(parts, "hidden_size", node.HiddenSize);
                AddInt(parts, "heads", node.Heads);
                AddInt(parts, "kv_heads", node.KvHeads);
                if (node.Precision > 0 && node.Precision < PrecisionNames.Length)
                {
                    parts.Add("precision = " + Str(PrecisionNames[node.Precision]));
                }

                AddInt(parts, "prompt_tokens", node.PromptTokens);
                AddInt(parts, "output_tokens", node.OutputTokens);
                sb.Append(string.Join(", ", parts)).Append('}');
            }

            sb.Append("} : (");
            for (int i = 0; i < operands.Count; i++)
            {
                sb.Append(i > 0 ? ", " : string.Empty).Append(ValueType(operands[i].Type));
            }

            sb.Append(") -> ");
            sb.Append(hasResult ? ValueType(node.ResultType) : "()");
            if (node.File != null && node.Line > 0)
            {
                sb.Append(" loc(").Append(Str(node.File)).Append(':').Append(node.Line.ToString(CultureInfo.InvariantCulture))
                  .Append(':').Append(node.Column.ToString(CultureInfo.InvariantCulture)).Append(')');
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

        private static string Ssa(int source, int index) =>
            (source == 0 ? "%arg" : "%n") + index.ToString(CultureInfo.InvariantCulture);

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
}
