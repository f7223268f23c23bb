using AgentDsl.Ir;
using AgentDsl.Planning.Cost;

namespace AgentDsl.Planning;

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

            var work = Work(model, options);

            int prefill = nodes.Count;
            nodes.Add(new NodeDefinition(prefill, node.Name + ".prefill", node.Operator, OperatorKind.Llm, "kv-cache", node.IsAsync, inputs)
            {
                Source = node.Source,
                Guards = guards,
                Phase = NodePhase.Prefill,
                OutputBytes = work.KvBytes,
                Cost = node.Cost with { Flops = work.PrefillFlops, BytesMoved = work.PrefillBytes, MemoryFootprintBytes = work.PrefillFootprint },
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
                Cost = node.Cost with { Flops = work.DecodeFlops, BytesMoved = work.DecodeBytes, MemoryFootprintBytes = work.DecodeFootprint },
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
    /// Costs each <see cref="OperatorKind.Llm"/> node that has a model description as one node, as the analyzers do
    /// (<c>CostMath.NodeWork</c>): when it states no <see cref="CostHints.Flops"/> or <see cref="CostHints.BytesMoved"/> of
    /// its own, the work of its prefill and its decode together (the same figures <see cref="Apply"/> gives the two phases);
    /// when it states no footprint, the decode's (weights and the full KV cache). The graph keeps its shape; nodes whose
    /// model lacks the layers, hidden size or heads the formulas need are left as they are.
    /// </summary>
    /// <returns>The graph with those nodes costed, and the names of the nodes whose work it derived from their model.</returns>
    public static (GraphDefinition Graph, IReadOnlyList<string> Costed) CostAsOneNode(GraphDefinition graph, DecompositionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new DecompositionOptions();
        var costed = new List<string>();
        var nodes = new List<NodeDefinition>(graph.Nodes.Length);
        bool changed = false;
        foreach (var node in graph.Nodes)
        {
            if (!Shared.CostMath.IsLlm(node.Kind) || node.Cost.Model is not { } model || node.Phase != NodePhase.None || !CanDescribe(model))
            {
                nodes.Add(node);
                continue;
            }

            var (flops, bytes, footprint) = Shared.CostMath.NodeWork(node.Cost.Flops, node.Cost.BytesMoved, node.Cost.MemoryFootprintBytes, Work(model, options));
            if (flops != node.Cost.Flops || bytes != node.Cost.BytesMoved)
            {
                costed.Add(node.Name);
            }

            changed |= flops != node.Cost.Flops || bytes != node.Cost.BytesMoved || footprint != node.Cost.MemoryFootprintBytes;
            nodes.Add(node with { Cost = node.Cost with { Flops = flops, BytesMoved = bytes, MemoryFootprintBytes = footprint } });
        }

        return !changed
            ? (graph, costed)
            : (new GraphDefinition(graph.Name, graph.TypeName, graph.Flow, graph.Sla, graph.Inputs, nodes, graph.Output, graph.OutputType, graph.Returns.Length > 1 ? graph.Returns : (IReadOnlyList<GraphReturn>?)null), costed);
    }

    /// <summary>Whether <see cref="Work"/> has what it needs.</summary>
    private static bool CanDescribe(ModelDescription model) => Shared.CostMath.CanDescribe(model.Layers, model.HiddenSize, model.Heads);

    /// <summary>The paper's LLM work for one request, by phase (<c>CostMath.ModelWork</c>), with the options' token counts and batch.</summary>
    /// <exception cref="ArgumentException">The model lacks the layers, hidden size or heads the formulas need.</exception>
    internal static Shared.LlmWork Work(ModelDescription model, DecompositionOptions options)
    {
        string? missing = model.Layers <= 0 ? "Layers" : model.HiddenSize <= 0 ? "HiddenSize" : model.Heads <= 0 ? "Heads" : null;
        if (missing is not null)
        {
            throw new ArgumentException($"Model '{model.Name}' needs {missing} to be decomposed.", nameof(model));
        }

        return Shared.CostMath.ModelWork(
            model.Parameters, model.Layers, model.HiddenSize, model.Heads, model.KvHeads, model.Precision,
            model.PromptTokens > 0 ? model.PromptTokens : options.DefaultPromptTokens,
            model.OutputTokens > 0 ? model.OutputTokens : options.DefaultOutputTokens,
            options.Batch);
    }
}
