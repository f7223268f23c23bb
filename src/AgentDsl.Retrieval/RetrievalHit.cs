namespace AgentDsl.Retrieval;

/// <summary>One search result: a chunk and its cosine similarity to the query.</summary>
/// <param name="Chunk">The chunk.</param>
/// <param name="Score">The dot product of the unit query and chunk vectors, their cosine (−1 … 1).</param>
public sealed record RetrievalHit(CorpusChunk Chunk, float Score);
