namespace AgentDsl.Retrieval;

/// <summary>How <see cref="ReferencePackCorpus.Load"/> finds, reads and chunks the documentation files.</summary>
public sealed class ReferencePackCorpusOptions
{
    /// <summary>The default <see cref="MaxWords"/>: 64 words (99.9 % of the reference pack's summaries are shorter).</summary>
    public const int DefaultMaxWords = 64;

    /// <summary>The default and largest <see cref="MaxCharacters"/>: 400.</summary>
    public const int DefaultMaxCharacters = 400;

    /// <summary>
    /// A directory of documentation files (<c>*.xml</c>) to read instead of the reference pack; null (the default)
    /// finds the reference pack (<see cref="ReferencePackCorpus.FindReferencePack(string?)"/>).
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// The .NET root to look in first (a directory holding <c>packs/Microsoft.NETCore.App.Ref</c>); null to find it
    /// (<c>DOTNET_ROOT</c>, the <c>dotnet</c> executable, the running runtime's directory).
    /// </summary>
    public string? DotNetRoot { get; set; }

    /// <summary>
    /// The most words in one chunk; a member's text with more is split at word boundaries into parts.
    /// Default <see cref="DefaultMaxWords"/>.
    /// </summary>
    public int MaxWords { get; set; } = DefaultMaxWords;

    /// <summary>
    /// The most characters in one chunk (split at the last space before it; a longer single word is cut).
    /// Default and upper bound <see cref="DefaultMaxCharacters"/>, which keeps every
    /// <see cref="CorpusChunk.EmbeddingText"/> within MiniLM's 512 positions.
    /// </summary>
    public int MaxCharacters { get; set; } = DefaultMaxCharacters;

    /// <summary>
    /// The most chunks to keep; null (the default) keeps all. When the corpus has more, an evenly spaced sample
    /// is kept (chunk <c>⌊i · total / MaxChunks⌋</c> for i = 0 … MaxChunks − 1), so it spans every file.
    /// </summary>
    public int? MaxChunks { get; set; }

    internal void Validate()
    {
        if (MaxWords < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWords), MaxWords, "ReferencePackCorpusOptions.MaxWords must be at least 1.");
        }

        if (MaxCharacters is < 16 or > DefaultMaxCharacters)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCharacters), MaxCharacters, $"ReferencePackCorpusOptions.MaxCharacters must be between 16 and {DefaultMaxCharacters} (MiniLM reads at most 512 tokens).");
        }

        if (MaxChunks is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxChunks), MaxChunks, "ReferencePackCorpusOptions.MaxChunks must be at least 1, or null for all chunks.");
        }
    }
}
