namespace AgentDsl;

/// <summary>
/// The task types of an agent graph (after the paper's table 1). The kind tells the cost model
/// which resources an operator stresses and the MLIR export which op to emit.
/// </summary>
/// <remarks>This file is linked into the source generator: keep it a plain enum.</remarks>
public enum OperatorKind
{
    /// <summary>General-purpose CPU work: parsing, filtering, routing (<c>agent.compute</c>).</summary>
    Compute = 0,

    /// <summary>A call to an external tool or service: search API, calculator (<c>tool.invoke</c>).</summary>
    Tool = 1,

    /// <summary>A memory lookup: vector database, key-value store (<c>memory.load</c>).</summary>
    Memory = 2,

    /// <summary>Execution of a (non-generative) model such as an embedding model (<c>model.run</c>).</summary>
    Model = 3,

    /// <summary>An LLM inference; carries a model description so that it can be lowered into prefill, KV transfer and decode (<c>llm.generate</c>).</summary>
    Llm = 4,

    /// <summary>A data-parallel kernel compiled to OpenCL C (<c>kernel.launch</c>).</summary>
    Kernel = 5,

    /// <summary>A nested agent: a call into another graph's flow (<c>agent.call</c>).</summary>
    Agent = 6,
}
