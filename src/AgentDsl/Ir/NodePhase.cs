namespace AgentDsl.Ir;

/// <summary>The phase of an LLM inference a node stands for, after decomposition.</summary>
public enum NodePhase
{
    /// <summary>Not decomposed.</summary>
    None = 0,

    /// <summary>Prompt processing (compute-bound): writes the KV cache.</summary>
    Prefill = 1,

    /// <summary>Moving the KV cache from the prefill device to the decode device.</summary>
    KvTransfer = 2,

    /// <summary>Token generation (memory-bandwidth-bound): reads weights and KV cache per token.</summary>
    Decode = 3,
}
