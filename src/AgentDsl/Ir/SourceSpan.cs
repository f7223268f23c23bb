namespace AgentDsl.Ir;

/// <summary>A place in the user's source.</summary>
/// <param name="File">The source file path.</param>
/// <param name="Line">One-based line.</param>
/// <param name="Column">One-based column.</param>
public sealed record SourceSpan(string File, int Line, int Column)
{
    /// <inheritdoc/>
    public override string ToString() => $"{File}({Line},{Column})";
}
