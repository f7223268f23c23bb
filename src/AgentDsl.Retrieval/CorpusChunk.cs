namespace AgentDsl.Retrieval;

/// <summary>One piece of the corpus that is embedded and searched: a member's documentation, or part of it.</summary>
/// <param name="Index">The chunk's position in its corpus (0-based, deterministic).</param>
/// <param name="File">The documentation file it comes from (file name only, for example <c>System.Linq.xml</c>).</param>
/// <param name="MemberId">The member's documentation id (for example <c>M:System.Linq.Enumerable.Any``1(…)</c>).</param>
/// <param name="Part">Which part of the member's text this is (0 for the first or only one).</param>
/// <param name="Title">The member's qualified name without kind prefix, parameters or generic arity (for example <c>System.Linq.Enumerable.Any</c>).</param>
/// <param name="Text">The normalised text: summary, then remarks, references rendered as names, white space collapsed.</param>
public sealed record CorpusChunk(int Index, string File, string MemberId, int Part, string Title, string Text)
{
    /// <summary>The longest title that goes into <see cref="EmbeddingText"/>, in characters.</summary>
    public const int MaxTitleCharacters = 100;

    /// <summary>
    /// The text that is embedded: <c>"{Title}: {Text}"</c>, the title cut at <see cref="MaxTitleCharacters"/>.
    /// With <see cref="ReferencePackCorpusOptions.MaxCharacters"/> at most 400 this stays below MiniLM's 512 positions
    /// (a WordPiece token covers at least one character).
    /// </summary>
    public string EmbeddingText => (Title.Length > MaxTitleCharacters ? Title[..MaxTitleCharacters] : Title) + ": " + Text;
}
