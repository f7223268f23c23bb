using LLama;
using LLama.Native;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// The llama.cpp steps the engine is made of — prefill a prompt into a sequence, decode one token — with greedy
/// (argmax) sampling. The caller holds the context (these are not thread-safe) and clears the sequence before reuse.
/// </summary>
public static class LlamaSteps
{
    /// <summary>Decodes <paramref name="prompt"/> into <paramref name="sequence"/> from position 0 and returns the greedy next token.</summary>
    /// <param name="context">The context.</param>
    /// <param name="sequence">The sequence, empty.</param>
    /// <param name="prompt">The prompt's tokens (at most the context's batch size).</param>
    /// <param name="batch">A batch to reuse.</param>
    /// <exception cref="InvalidOperationException">llama.cpp did not decode the batch.</exception>
    public static int Prefill(LLamaContext context, LLamaSeqId sequence, IReadOnlyList<LLamaToken> prompt, LLamaBatch batch)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfZero(prompt.Count);
        batch.Clear();
        for (int i = 0; i < prompt.Count; i++)
        {
            batch.Add(prompt[i], i, sequence, logits: i == prompt.Count - 1);
        }

        Check(context.Decode(batch), "prefill", prompt.Count);
        return Argmax(context.NativeHandle.GetLogitsIth(batch.TokenCount - 1));
    }

    /// <summary>Decodes <paramref name="token"/> at <paramref name="position"/> of <paramref name="sequence"/> and returns the greedy next token.</summary>
    /// <param name="context">The context.</param>
    /// <param name="sequence">The sequence holding the tokens before <paramref name="position"/>.</param>
    /// <param name="token">The token to feed.</param>
    /// <param name="position">Its position.</param>
    /// <param name="batch">A batch to reuse.</param>
    /// <param name="logits">When not empty, receives a copy of the step's logits (the vocabulary's length).</param>
    public static int Step(LLamaContext context, LLamaSeqId sequence, int token, int position, LLamaBatch batch, Span<float> logits = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        batch.Add(token, position, sequence, logits: true);
        Check(context.Decode(batch), "decode", 1);
        var row = context.NativeHandle.GetLogitsIth(0);
        if (!logits.IsEmpty)
        {
            row.CopyTo(logits);
        }

        return Argmax(row);
    }

    /// <summary>The index of the largest logit (the first on ties).</summary>
    /// <param name="logits">The logits.</param>
    public static int Argmax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static void Check(DecodeResult result, string what, int tokens)
    {
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama.cpp failed to {what} {tokens} token(s): {result}.");
        }
    }
}
