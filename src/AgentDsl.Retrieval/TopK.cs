namespace AgentDsl.Retrieval;

/// <summary>
/// The one ranking rule of the vector indexes: higher score first, and on equal scores the lower row first.
/// A bounded heap keeps the best <c>k</c> of a stream of rows.
/// </summary>
internal sealed class TopK
{
    private readonly ScoredRow[] _heap;
    private int _count;

    public TopK(int k) => _heap = new ScoredRow[k];

    /// <summary>Whether <paramref name="a"/> ranks before <paramref name="b"/>.</summary>
    public static bool Before(ScoredRow a, ScoredRow b) => a.Score > b.Score || (a.Score == b.Score && a.Row < b.Row);

    /// <summary>The best <paramref name="k"/> rows of <paramref name="scores"/> (row i scored <c>scores[i]</c>), best first.</summary>
    public static ScoredRow[] Select(ReadOnlySpan<float> scores, int k)
    {
        var top = new TopK(Math.Min(k, scores.Length));
        for (int i = 0; i < scores.Length; i++)
        {
            top.Add(i, scores[i]);
        }

        return top.Sorted();
    }

    /// <summary>The worst row kept; only meaningful once the heap is full.</summary>
    public ScoredRow Worst => _heap[0];

    public int Count => _count;

    public void Add(int row, float score)
    {
        var item = new ScoredRow(row, score);
        if (_count < _heap.Length)
        {
            // Sift up: the root is the worst row kept.
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Before(_heap[parent], item))
                {
                    break;
                }

                _heap[i] = _heap[parent];
                i = parent;
            }

            _heap[i] = item;
            return;
        }

        if (_heap.Length == 0 || !Before(item, _heap[0]))
        {
            return;
        }

        // Replace the worst and sift down.
        int at = 0;
        while (true)
        {
            int left = (2 * at) + 1;
            if (left >= _count)
            {
                break;
            }

            int worse = left + 1 < _count && Before(_heap[left], _heap[left + 1]) ? left + 1 : left;
            if (!Before(item, _heap[worse]))
            {
                break;
            }

            _heap[at] = _heap[worse];
            at = worse;
        }

        _heap[at] = item;
    }

    /// <summary>The rows kept, best first.</summary>
    public ScoredRow[] Sorted()
    {
        var result = _heap.AsSpan(0, _count).ToArray();
        Array.Sort(result, static (a, b) => Before(a, b) ? -1 : Before(b, a) ? 1 : 0);
        return result;
    }
}
