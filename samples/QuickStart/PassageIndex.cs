namespace QuickStart;

/// <summary>An in-memory vector index over a small knowledge base (cosine similarity, exact search).</summary>
public sealed class PassageIndex
{
    public const int Dimensions = 256;

    private static readonly string[] Corpus =
    [
        "Reset your password from the sign-in page with the 'Forgot password' link.",
        "Invoices are e-mailed on the first day of each month and can be downloaded from Billing.",
        "If the app crashes on start, clear its cache and update to the latest version.",
        "Two-factor authentication can be enabled under Settings, Security.",
        "Exports larger than 1 GB are split into several files.",
        "A slow dashboard usually means too many widgets; remove the ones you do not use.",
        "API keys are created per project and can be revoked at any time.",
        "Refunds are processed within five business days.",
    ];

    private readonly float[][] _vectors = [.. Corpus.Select(text => TextOps.Embed(text, Dimensions))];

    public Task<Passage[]> SearchAsync(float[] query, int top, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var scored = new Passage[Corpus.Length];
        for (int i = 0; i < Corpus.Length; i++)
        {
            float dot = 0;
            for (int d = 0; d < Dimensions; d++)
            {
                dot += _vectors[i][d] * query[d];
            }

            scored[i] = new Passage(i, Corpus[i], dot);
        }

        return Task.FromResult(scored.OrderByDescending(p => p.Score).Take(top).ToArray());
    }
}
