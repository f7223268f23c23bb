namespace AgentDsl.Retrieval;

/// <summary>A row of a vector index and its score (the dot product with the query).</summary>
/// <param name="Row">The row index.</param>
/// <param name="Score">The score.</param>
public readonly record struct ScoredRow(int Row, float Score);
