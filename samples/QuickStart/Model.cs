namespace QuickStart;

/// <summary>What the user wants.</summary>
public enum Intent
{
    /// <summary>A question about how to do something.</summary>
    HowTo,

    /// <summary>A problem report.</summary>
    Problem,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>A passage of the knowledge base.</summary>
public sealed record Passage(int Id, string Text, float Score);

/// <summary>The agent's answer.</summary>
public sealed record Answer(string Text, Intent Intent, int[] Sources, bool Grounded);
