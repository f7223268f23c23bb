namespace AgentDsl.Retrieval;

/// <summary>Where the vectors of an <see cref="EmbeddingCache.GetOrEmbed"/> call came from.</summary>
public enum EmbeddingCacheOutcome
{
    /// <summary>Read from a valid cache file; nothing was embedded.</summary>
    Hit,

    /// <summary>No cache file for these texts and model: embedded and written.</summary>
    Miss,

    /// <summary>A cache file existed but failed a check (size, header, key, checksum, non-finite values): embedded again and rewritten.</summary>
    Invalid,

    /// <summary>The cache is disabled (no directory): embedded.</summary>
    Disabled,
}
