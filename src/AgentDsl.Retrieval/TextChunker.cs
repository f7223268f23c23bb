namespace AgentDsl.Retrieval;

/// <summary>Splits normalised text into parts of at most a number of words and characters, at spaces.</summary>
internal static class TextChunker
{
    /// <summary>
    /// The parts of <paramref name="text"/> (single spaces between words, as <see cref="DocText.Collapse"/> leaves it):
    /// each has at most <paramref name="maxWords"/> words and <paramref name="maxCharacters"/> characters; a single
    /// word longer than <paramref name="maxCharacters"/> is cut. An empty text has no parts.
    /// </summary>
    public static List<string> Split(string text, int maxWords, int maxCharacters)
    {
        var parts = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int end = start;
            int words = 0;
            int lastFit = -1;
            while (end < text.Length && words < maxWords)
            {
                int space = text.IndexOf(' ', end);
                int wordEnd = space < 0 ? text.Length : space;
                if (wordEnd - start > maxCharacters)
                {
                    break;
                }

                lastFit = wordEnd;
                words++;
                end = wordEnd + 1;
            }

            // No whole word fits: cut the first word at the limit.
            int stop = lastFit < 0 ? start + maxCharacters : lastFit;
            parts.Add(text[start..stop]);
            start = stop;
            while (start < text.Length && text[start] == ' ')
            {
                start++;
            }
        }

        return parts;
    }
}
