namespace AgentDsl.Retrieval;

/// <summary>The vectors of a list of texts, one row each, in one row-major array.</summary>
/// <param name="Vectors">Count × Dimensions floats, row i the vector of text i; pinned (it never moves).</param>
/// <param name="Count">How many texts.</param>
/// <param name="Dimensions">The length of each vector.</param>
/// <param name="Outcome">Whether they came from the cache.</param>
/// <param name="Elapsed">How long embedding (or reading the cache) took.</param>
public sealed record EmbeddedTexts(float[] Vectors, int Count, int Dimensions, EmbeddingCacheOutcome Outcome, TimeSpan Elapsed);
