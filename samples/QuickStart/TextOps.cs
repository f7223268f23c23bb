using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace QuickStart;

/// <summary>The operators' work, kept apart from the graph so it reads as plain C#.</summary>
public static partial class TextOps
{
    public static string Normalize(string question) =>
        WhitespaceRegex().Replace(question.Trim().Normalize(NormalizationForm.FormKC), " ");

    public static Intent Classify(string text)
    {
        string lower = text.ToLowerInvariant();
        if (lower.Contains("error") || lower.Contains("fail") || lower.Contains("crash") || lower.Contains("slow"))
        {
            return Intent.Problem;
        }

        return lower.StartsWith("how", StringComparison.Ordinal) || lower.Contains("can i") ? Intent.HowTo : Intent.Other;
    }

    /// <summary>Masks e-mail addresses and long digit runs (phone, card numbers).</summary>
    public static string Redact(string text) =>
        DigitsRegex().Replace(EmailRegex().Replace(text, "[email]"), "[number]");

    /// <summary>A hashed bag-of-words embedding, L2-normalised.</summary>
    public static float[] Embed(string text, int dimensions)
    {
        var vector = new float[dimensions];
        foreach (var word in WordRegex().EnumerateMatches(text))
        {
            var token = text.AsSpan(word.Index, word.Length);
            if (token.Length <= 3 && !char.IsDigit(token[0]))
            {
                continue; // Short words (the, is, how, can) carry no topic.
            }

            uint hash = 2166136261;
            foreach (char c in token)
            {
                hash = (hash ^ char.ToLowerInvariant(c)) * 16777619;
            }

            vector[hash % (uint)dimensions] += (hash & 0x80000000) == 0 ? 1f : -1f;
        }

        float norm = MathF.Sqrt(vector.Sum(v => v * v));
        if (norm > 0)
        {
            for (int i = 0; i < vector.Length; i++)
            {
                vector[i] /= norm;
            }
        }

        return vector;
    }

    public static string Draft(string question, Passage[] passages, Intent intent)
    {
        var sb = new StringBuilder();
        sb.Append(intent switch
        {
            Intent.HowTo => "Here is how: ",
            Intent.Problem => "Let's fix that: ",
            _ => "Here is what I found: ",
        });
        sb.Append(passages.Length > 0 ? passages[0].Text : "I could not find anything about \"" + question + "\".");
        return sb.ToString();
    }

    public static Answer Check(string draft, Passage[] passages, Intent intent)
    {
        bool grounded = passages.Any(p => p.Score > 0.1f && draft.Contains(p.Text, StringComparison.Ordinal));
        return new Answer(draft, intent, [.. passages.Select(p => p.Id)], grounded);
    }

    public static string Format(double ms) => ms.ToString("0.00", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();

    [GeneratedRegex(@"[\w.+-]+@[\w-]+\.[\w.]+")]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"\d{6,}")]
    private static partial Regex DigitsRegex();

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();
}
