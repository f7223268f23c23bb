using System.Numerics.Tensors;

namespace AgentDsl.Retrieval;

/// <summary>
/// Exact top-k on the CPU: every row scored with <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// (SIMD), blocks of rows in parallel, then a bounded heap (<see cref="IVectorIndex"/> for the ranking rule).
/// </summary>
/// <remarks>
/// The rows live in one pinned array, so a row's address (and with it the SIMD summation order
/// <see cref="TensorPrimitives"/> picks) never changes: a row's score for a query is the same float on every call.
/// Thread safety: searches may run concurrently.
/// </remarks>
public sealed class ExactVectorIndex : IVectorIndex
{
    private const int BlockRows = 1024;
    private readonly float[] _rows;

    /// <summary>An index over a copy of <paramref name="vectors"/> (row-major, <paramref name="dimensions"/> floats per row).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="dimensions"/>, or a value is not finite.</exception>
    public ExactVectorIndex(ReadOnlySpan<float> vectors, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (vectors.Length % dimensions != 0)
        {
            throw new ArgumentException($"{vectors.Length} floats are not a whole number of {dimensions}-dimensional rows.", nameof(vectors));
        }

        int bad = IndexOfNonFinite(vectors);
        if (bad >= 0)
        {
            throw new ArgumentException($"Row {bad / dimensions}, element {bad % dimensions}, is {vectors[bad]}: vectors must be finite.", nameof(vectors));
        }

        _rows = GC.AllocateUninitializedArray<float>(vectors.Length, pinned: true);
        vectors.CopyTo(_rows);
        Dimensions = dimensions;
        Count = vectors.Length / dimensions;
        double max = 0;
        for (int r = 0; r < Count; r++)
        {
            max = Math.Max(max, Math.Sqrt(SumOfSquares(Row(r))));
        }

        MaxRowNorm = max;
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public int Dimensions { get; }

    /// <summary>The largest Euclidean norm of a row (1 for unit vectors, up to rounding).</summary>
    public double MaxRowNorm { get; }

    /// <summary>The rows, row-major (read only).</summary>
    public ReadOnlySpan<float> Vectors => _rows;

    /// <summary>Row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> Row(int row) => _rows.AsSpan(row * Dimensions, Dimensions);

    /// <summary>The score of one row: <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> of the row and the query.</summary>
    public float Score(int row, ReadOnlySpan<float> query) => TensorPrimitives.Dot(Row(row), query);

    /// <summary>The best <paramref name="k"/> rows for <paramref name="query"/>, best first.</summary>
    public ScoredRow[] Search(ReadOnlySpan<float> query, int k)
    {
        CheckQuery(query, Dimensions);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var scores = new float[Count];
        var q = query.ToArray();
        ForEachBlock(block =>
        {
            for (int r = block.Start; r < block.End; r++)
            {
                scores[r] = Score(r, q);
            }
        });
        return TopK.Select(scores, k);
    }

    /// <summary>The best <paramref name="k"/> rows for each query; each block of rows is scored against every query while it is in cache.</summary>
    public ScoredRow[][] Search(IReadOnlyList<float[]> queries, int k)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        for (int q = 0; q < queries.Count; q++)
        {
            CheckQuery(queries[q], Dimensions, q);
        }

        var scores = new float[queries.Count][];
        for (int q = 0; q < scores.Length; q++)
        {
            scores[q] = new float[Count];
        }

        ForEachBlock(block =>
        {
            for (int q = 0; q < scores.Length; q++)
            {
                var query = queries[q];
                var s = scores[q];
                for (int r = block.Start; r < block.End; r++)
                {
                    s[r] = Score(r, query);
                }
            }
        });
        return [.. scores.Select(s => TopK.Select(s, k))];
    }

    /// <inheritdoc/>
    public ValueTask<ScoredRow[]> SearchAsync(float[] query, int k, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Search(query, k));
    }

    /// <inheritdoc/>
    public ValueTask<ScoredRow[][]> SearchBatchAsync(IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Search(queries, k));
    }

    /// <summary>Nothing to release (the rows are managed memory).</summary>
    public void Dispose()
    {
    }

    internal static void CheckQuery(ReadOnlySpan<float> query, int dimensions, int? index = null)
    {
        string which = index is { } i ? $"Query {i}" : "The query";
        if (query.Length != dimensions)
        {
            throw new ArgumentException($"{which} has {query.Length} elements; the index has {dimensions} dimensions.", index is null ? "query" : "queries");
        }

        int bad = IndexOfNonFinite(query);
        if (bad >= 0)
        {
            throw new ArgumentException($"{which} holds {query[bad]} at element {bad}: queries must be finite.", index is null ? "query" : "queries");
        }
    }

    internal static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values)
        {
            sum += (double)v * v;
        }

        return sum;
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private void ForEachBlock(Action<(int Start, int End)> body)
    {
        int blocks = (Count + BlockRows - 1) / BlockRows;
        if (blocks <= 1)
        {
            body((0, Count));
            return;
        }

        Parallel.For(0, blocks, b => body((b * BlockRows, Math.Min(Count, (b + 1) * BlockRows))));
    }
}
