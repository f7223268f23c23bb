using AgentDsl.Kernels;

namespace AgentDsl.Retrieval;

/// <summary>
/// Exact top-k with the scoring on a kernel device (an OpenCL device, or the managed one): the matrix is kept
/// resident in a device buffer, uploaded once; each search uploads only its queries, scores all rows with one
/// launch of <see cref="RetrievalKernels.Score"/> and reads the scores back; the host then selects the top k.
/// </summary>
/// <remarks>
/// <para>
/// Why scores back and host selection rather than a per-work-group top-k on the device: reading back one float per
/// row (80 KB for 20,000 rows) costs little next to scoring, selection is O(rows) on the host, and it is what makes
/// the result identical to <see cref="ExactVectorIndex"/> rather than only close to it (below).
/// </para>
/// <para>
/// Exactness: the device sums in dimension order, <see cref="ExactVectorIndex"/> in SIMD order, so a row's two scores
/// may differ in the last bits. Both are within γ·‖row‖·‖query‖ of the true dot product (γ = d·u/(1 − d·u), u = 2⁻²⁴,
/// d the dimensions; any summation order, with or without fused multiply-add), so every row of the exact top k has a
/// device score within 4γ·max‖row‖·‖query‖ of the device's k-th best. The host takes all rows within that margin,
/// rescores them with <see cref="ExactVectorIndex.Score"/> and ranks them by the common rule: the same rows and the
/// same scores, bit for bit, as <see cref="ExactVectorIndex"/>. Usually only a handful of rows are rescored.
/// </para>
/// <para>Searches on one index are serialised (they share the device's queue anyway). Dispose to free the device memory.</para>
/// </remarks>
public sealed class KernelVectorIndex : IVectorIndex
{
    private const double UnitRoundoff = 1.0 / (1 << 24);
    private const int WorkGroupRows = 64;
    private readonly ExactVectorIndex _exact;
    private readonly KernelBuffer<float> _columns;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly double _gamma;
    private KernelBuffer<float>? _queries;
    private KernelBuffer<float>? _scores;
    private bool _disposed;

    /// <summary>An index over the rows of <paramref name="exact"/> (shared, not copied, for the rescoring) on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">The index is empty.</exception>
    public KernelVectorIndex(ExactVectorIndex exact, IKernelDevice device)
    {
        ArgumentNullException.ThrowIfNull(exact);
        ArgumentNullException.ThrowIfNull(device);
        if (exact.Count == 0)
        {
            throw new ArgumentException("The index has no rows; a kernel launch needs at least one.", nameof(exact));
        }

        _exact = exact;
        Device = device;
        int rows = exact.Count, dim = exact.Dimensions;
        var columns = new float[rows * dim];
        var source = exact.Vectors;
        for (int r = 0; r < rows; r++)
        {
            for (int d = 0; d < dim; d++)
            {
                columns[(d * rows) + r] = source[(r * dim) + d];
            }
        }

        _columns = new KernelBuffer<float>(columns);
        double n = dim * UnitRoundoff;
        _gamma = n / (1 - n);
    }

    /// <summary>The device the scoring runs on.</summary>
    public IKernelDevice Device { get; }

    /// <inheritdoc/>
    public int Count => _exact.Count;

    /// <inheritdoc/>
    public int Dimensions => _exact.Dimensions;

    /// <summary>The host index whose results this one reproduces (and which rescores the candidates).</summary>
    public ExactVectorIndex Exact => _exact;

    /// <summary>Builds the kernel on the device and uploads the matrix, so the first search pays neither.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default) =>
        await SearchBatchAsync([new float[Dimensions]], 1, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<ScoredRow[]> SearchAsync(float[] query, int k, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (await SearchBatchAsync([query], k, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <inheritdoc/>
    public async ValueTask<ScoredRow[][]> SearchBatchAsync(IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int dim = Dimensions, rows = Count;
        for (int q = 0; q < queries.Count; q++)
        {
            ExactVectorIndex.CheckQuery(queries[q], dim, q);
        }

        if (queries.Count == 0)
        {
            return [];
        }

        if ((long)queries.Count * rows > Array.MaxLength)
        {
            throw new ArgumentException($"{queries.Count} queries × {rows} rows exceed one score buffer; search in smaller batches.", nameof(queries));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // The query and score buffers are kept for the next search of the same batch size: the score buffer
            // is then not uploaded again (its device copy stays valid), and only the queries travel to the device.
            if (_queries is null || _queries.Length != queries.Count * dim)
            {
                _queries?.Dispose();
                _scores?.Dispose();
                _queries = new KernelBuffer<float>(queries.Count * dim);
                _scores = new KernelBuffer<float>(queries.Count * rows);
            }

            var packed = _queries.AsSpan();
            for (int q = 0; q < queries.Count; q++)
            {
                queries[q].CopyTo(packed[(q * dim)..]);
            }

            // Work-groups of 64 rows: the global size is rounded up, and the kernel skips the padding rows.
            int padded = (rows + WorkGroupRows - 1) / WorkGroupRows * WorkGroupRows;
            await RetrievalKernels.Kernels.Score.LaunchAsync(Device, (padded, queries.Count), _columns, _queries, _scores!, rows, dim, localSize: (WorkGroupRows, 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            var scores = _scores!.AsReadOnlySpan();
            var results = new ScoredRow[queries.Count][];
            for (int q = 0; q < queries.Count; q++)
            {
                results[q] = Select(scores.Slice(q * rows, rows), queries[q], k);
            }

            return results;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Frees the device copy of the matrix.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _columns.Dispose();
            _queries?.Dispose();
            _scores?.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The exact top k from device scores: candidates within the rounding margin of the k-th best, rescored on the host.</summary>
    private ScoredRow[] Select(ReadOnlySpan<float> deviceScores, float[] query, int k)
    {
        k = Math.Min(k, deviceScores.Length);
        var first = new TopK(k);
        for (int r = 0; r < deviceScores.Length; r++)
        {
            first.Add(r, deviceScores[r]);
        }

        double queryNorm = Math.Sqrt(ExactVectorIndex.SumOfSquares(query));

        // 4γ‖row‖‖q‖ plus an absolute term for devices that flush subnormal products to zero, with 1 % slack.
        double margin = 1.01 * 4 * ((_gamma * _exact.MaxRowNorm * queryNorm) + (Dimensions * Math.Pow(2, -126)));
        double threshold = first.Worst.Score - margin;
        var final = new TopK(k);
        for (int r = 0; r < deviceScores.Length; r++)
        {
            if (deviceScores[r] >= threshold)
            {
                final.Add(r, _exact.Score(r, query));
            }
        }

        return final.Sorted();
    }
}
