namespace AgentDsl.LlamaCpp;

/// <summary>Whether an LLM call served by llama.cpp may run its prefill on another engine context than its decode.</summary>
public enum LlamaSplitPolicy
{
    /// <summary>
    /// Per request, the cost model chooses the prefill context: predicted prefill time there (measured, else roofline
    /// from the context's figures) plus the wait for it plus the KV transfer, against prefilling where the decode runs.
    /// </summary>
    Auto,

    /// <summary>Prefill and decode always run on the context the runtime placed the node on.</summary>
    Never,

    /// <summary>Prefill always runs on another context (the one the cost model likes best); for tests and demonstrations.</summary>
    Always,
}
