namespace AgentDsl.Retrieval;

/// <summary>
/// Exact top-k search over a fixed set of vectors by dot product (the cosine, for unit vectors). Rows are ranked by
/// score, higher first; equal scores by row, lower first. Every implementation returns the same rows and scores.
/// </summary>
public interface IVectorIndex : IDisposable
{
    /// <summary>How many vectors (rows).</summary>
    int Count { get; }

    /// <summary>The length of each vector.</summary>
    int Dimensions { get; }

    /// <summary>The best <paramref name="k"/> rows for <paramref name="query"/>, best first (fewer when the index has fewer rows).</summary>
    /// <exception cref="ArgumentException">The query's length is not <see cref="Dimensions"/>, or it holds a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    ValueTask<ScoredRow[]> SearchAsync(float[] query, int k, CancellationToken cancellationToken = default);

    /// <summary>The best <paramref name="k"/> rows for each query, in query order.</summary>
    /// <exception cref="ArgumentException">A query's length is not <see cref="Dimensions"/>, or it holds a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    ValueTask<ScoredRow[][]> SearchBatchAsync(IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken = default);
}
