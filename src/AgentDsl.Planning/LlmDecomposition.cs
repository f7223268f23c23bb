using AgentDsl.Ir;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning;

/// <summary>Token counts and batch for lowering LLM operators that do not state them.</summary>
public sealed record DecompositionOptions
{
    /// <summary>Prompt tokens when the operator does not say. Default 512.</summary>
    public int DefaultPromptTokens { get; init; } = 512;

    /// <summary>Generated tokens when the operator does not say. Default 128.</summary>
    public int DefaultOutputTokens { get; init; } = 128;

    /// <summary>Requests per batch. Default 1.</summary>
    public int Batch { get; init; } = 1;
}

/// <summary>
/// The paper's decomposition pass over the graph IR: every <see cref="OperatorKind.Llm"/> node with a
/// model description becomes prefill → KV transfer → decode, with FLOPs, bytes and KV size derived from
/// the model and the token counts, so the planner can place prefill and decode on different devices.
/// </summary>
public static class LlmDecomposition
{
    /// <summary>Lowers the LLM nodes of <paramref name="graph"/>; other nodes are copied with renumbered ids.</summary>
    public static GraphDefinition Apply(GraphDefinition graph, DecompositionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new DecompositionOptions();
        var nodes = new List<NodeDefinition>();
        var remap = new int[graph.Nodes.Length];
        ValueRef Map(ValueRef v) => v.Source == ValueSource.Node ? ValueRef.Node(remap[v.Index]) : v;

        foreach (var node in graph.Nodes)
        {
            var inputs = node.Inputs.Select(i => i with { Value = Map(i.Value) }).ToList();
            var guards = node.Guards.Select(g => g with { Node = remap[g.Node] }).ToList();
            if (node.Kind != OperatorKind.Llm || node.Cost.Model is not { } model || node.Phase != NodePhase.None || node.FanOut is not null)
            {
                // Fan-out nodes stay whole: one node calls the model once per element.
                remap[node.Id] = nodes.Count;
                nodes.Add(node with { Id = nodes.Count, Inputs = inputs, Guards = guards, FanOut = node.FanOut is { } f ? Map(f) : null });
                continue;
            }

            var work = Work(Describe(model, options), options.Batch);

            int prefill = nodes.Count;
            nodes.Add(new NodeDefinition(prefill, node.Name + ".prefill", node.Operator, OperatorKind.Llm, "kv-cache", node.IsAsync, inputs)
            {
                Source = node.Source,
                Guards = guards,
                Phase = NodePhase.Prefill,
                OutputBytes = work.KvBytes,
                Cost = node.Cost with { Flops = work.Prefill.Flops, BytesMoved = work.Prefill.Bytes, MemoryFootprintBytes = work.Prefill.Footprint },
            });

            int kv = nodes.Count;
            nodes.Add(new NodeDefinition(kv, node.Name + ".kv", node.Operator, OperatorKind.Llm, "kv-cache", false,
                [new NodeInput("kv", "kv-cache", ValueRef.Node(prefill))])
            {
                Source = node.Source,
                Guards = guards,
                Phase = NodePhase.KvTransfer,
                OutputBytes = work.KvBytes,
                Cost = new CostHints { BytesMoved = work.KvBytes, AllowedDevices = node.Cost.AllowedDevices, Model = node.Cost.Model },
            });

            int decode = nodes.Count;
            nodes.Add(new NodeDefinition(decode, node.Name + ".decode", node.Operator, OperatorKind.Llm, node.ResultType, node.IsAsync,
                [new NodeInput("kv", "kv-cache", ValueRef.Node(kv))])
            {
                Source = node.Source,
                Guards = guards,
                Phase = NodePhase.Decode,
                OutputBytes = node.OutputBytes,
                Cost = node.Cost with { Flops = work.Decode.Flops, BytesMoved = work.Decode.Bytes, MemoryFootprintBytes = work.Decode.Footprint },
            });
            remap[node.Id] = decode;
        }

        return new GraphDefinition(
            graph.Name,
            graph.TypeName,
            graph.Flow,
            graph.Sla,
            graph.Inputs,
            nodes,
            graph.Output is { } output ? Map(output) : null,
            graph.OutputType,
            graph.Returns.Length > 1
                ? [.. graph.Returns.Select(r => new GraphReturn(Map(r.Value), [.. r.Guards.Select(g => g with { Node = remap[g.Node] })]))]
                : null);
    }

    /// <summary>
    /// Costs each <see cref="OperatorKind.Llm"/> node that has a model description and no <see cref="CostHints.Flops"/> or
    /// <see cref="CostHints.BytesMoved"/> of its own as one node: the work of its prefill and its decode together (the same
    /// figures <see cref="Apply"/> gives the two phases), and the decode's footprint (weights and the full KV cache). The
    /// graph keeps its shape; nodes whose model lacks the layers, hidden size or heads the formulas need are left as they are.
    /// </summary>
    /// <returns>The graph with those nodes costed, and the names of the nodes it costed.</returns>
    public static (GraphDefinition Graph, IReadOnlyList<string> Costed) CostAsOneNode(GraphDefinition graph, DecompositionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new DecompositionOptions();
        var costed = new List<string>();
        var nodes = new List<NodeDefinition>(graph.Nodes.Length);
        foreach (var node in graph.Nodes)
        {
            if (node.Kind != OperatorKind.Llm || node.Cost.Model is not { } model || node.Phase != NodePhase.None
                || node.Cost.Flops > 0 || node.Cost.BytesMoved > 0 || !CanDescribe(model))
            {
                nodes.Add(node);
                continue;
            }

            var work = Work(Describe(model, options), options.Batch);
            nodes.Add(node with
            {
                Cost = node.Cost with
                {
                    Flops = work.Prefill.Flops + work.Decode.Flops,
                    BytesMoved = work.Prefill.Bytes + work.Decode.Bytes,
                    MemoryFootprintBytes = Math.Max(node.Cost.MemoryFootprintBytes, work.Decode.Footprint),
                },
            });
            costed.Add(node.Name);
        }

        return costed.Count == 0
            ? (graph, costed)
            : (new GraphDefinition(graph.Name, graph.TypeName, graph.Flow, graph.Sla, graph.Inputs, nodes, graph.Output, graph.OutputType, graph.Returns.Length > 1 ? graph.Returns : (IReadOnlyList<GraphReturn>?)null), costed);
    }

    /// <summary>Whether <see cref="Describe"/> has what it needs.</summary>
    private static bool CanDescribe(ModelDescription model) => model.Layers > 0 && model.HiddenSize > 0 && model.Heads > 0;

    /// <summary>
    /// The paper's LLM work for one request, by phase: prefill reads the weights once and writes the prompt's KV cache;
    /// decode reads the weights and the average KV cache once per generated token; the KV cache of the prompt moves between them.
    /// </summary>
    private static ((double Flops, double Bytes, double Footprint) Prefill, double KvBytes, (double Flops, double Bytes, double Footprint) Decode) Work(
        (double Parameters, int Layers, int Hidden, int Heads, int KvHeads, double BytesPerElement, int Prompt, int Output) m, double batch)
    {
        double weights = m.Parameters * m.BytesPerElement;
        double kvPrompt = LlmMath.KvBytes(m.Layers, m.Hidden, m.Heads, m.KvHeads, m.Prompt, batch, m.BytesPerElement);
        double kvFull = LlmMath.KvBytes(m.Layers, m.Hidden, m.Heads, m.KvHeads, m.Prompt + m.Output, batch, m.BytesPerElement);
        double kvAverage = LlmMath.KvBytes(m.Layers, m.Hidden, m.Heads, m.KvHeads, m.Prompt + (m.Output / 2.0), batch, m.BytesPerElement);
        return (
            (LlmMath.PrefillFlops(m.Parameters, m.Prompt, batch), weights + kvPrompt, weights + kvPrompt),
            kvPrompt,
            (LlmMath.DecodeFlops(m.Parameters, m.Output, batch), m.Output * (weights + kvAverage), weights + kvFull));
    }

    /// <summary>The model figures the formulas need, filling gaps: parameters ≈ 12 · layers · hidden² when not given.</summary>
    internal static (double Parameters, int Layers, int Hidden, int Heads, int KvHeads, double BytesPerElement, int Prompt, int Output) Describe(ModelDescription model, DecompositionOptions options)
    {
        int layers = model.Layers > 0 ? model.Layers : throw new ArgumentException($"Model '{model.Name}' needs Layers to be decomposed.", nameof(model));
        int hidden = model.HiddenSize > 0 ? model.HiddenSize : throw new ArgumentException($"Model '{model.Name}' needs HiddenSize to be decomposed.", nameof(model));
        int heads = model.Heads > 0 ? model.Heads : throw new ArgumentException($"Model '{model.Name}' needs Heads to be decomposed.", nameof(model));
        int kvHeads = model.KvHeads > 0 ? model.KvHeads : heads;
        double parameters = model.Parameters > 0 ? model.Parameters : 12.0 * layers * hidden * (double)hidden;
        return (parameters, layers, hidden, heads, kvHeads, LlmMath.BytesPerElement(model.Precision),
            model.PromptTokens > 0 ? model.PromptTokens : options.DefaultPromptTokens,
            model.OutputTokens > 0 ? model.OutputTokens : options.DefaultOutputTokens);
    }
}
