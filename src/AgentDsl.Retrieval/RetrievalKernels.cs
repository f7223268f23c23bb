namespace AgentDsl.Retrieval;

/// <summary>The retrieval kernels: C# the generator translates to OpenCL C, and their own managed twin.</summary>
internal static partial class RetrievalKernels
{
    /// <summary>
    /// Scores every row against every query: <c>scores[query · rows + row] = Σ_d columns[d · rows + row] · queries[query · dim + d]</c>.
    /// The corpus is stored column-major (dimension by dimension), so neighbouring work-items read neighbouring
    /// floats (coalesced on a GPU, vectorised across work-items by PoCL); the sum runs in dimension order with
    /// separate multiply and add (the program disables contraction).
    /// </summary>
    [Kernel(Dimensions = 2)]
    public static void Score(int row, int query, ReadOnlySpan<float> columns, ReadOnlySpan<float> queries, Span<float> scores, int rows, int dim)
    {
        if (row >= rows)
        {
            return;
        }

        float sum = 0f;
        int q = query * dim;
        for (int d = 0; d < dim; d++)
        {
            sum += columns[(d * rows) + row] * queries[q + d];
        }

        scores[(query * rows) + row] = sum;
    }
}
