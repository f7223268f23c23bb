
namespace AgentDsl.Planning.Catalog;

/// <summary>A catalog or profile file is malformed or incomplete.</summary>
public sealed class CatalogException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CatalogException(string file, string? entry, string? field, string problem)
        : this(file, entry, field, problem, null, null)
    {
    }

    /// <summary>Creates the exception with the position of the problem in the file (1-based line and column).</summary>
    public CatalogException(string file, string? entry, string? field, string problem, int? line, int? column)
        : base($"{file}{(line is null ? "" : $"({line},{column})")}: {(entry is null ? "" : "device " + entry + ", ")}{(field is null ? "" : "field '" + field + "': ")}{problem}")
    {
        File = file;
        Entry = entry;
        Field = field;
        Line = line;
        Column = column;
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The entry, when known.</summary>
    public string? Entry { get; }

    /// <summary>The field, when known.</summary>
    public string? Field { get; }

    /// <summary>The 1-based line of the problem, when known.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column of the problem, when known.</summary>
    public int? Column { get; }

    /// <summary>The shared reader's error in this file: the position is in the message when no entry and field say where (bad JSON, bad text).</summary>
    internal static CatalogException From(string file, Shared.ProfileException ex)
    {
        bool syntax = ex.Entry is null && ex.Field is null;
        return new CatalogException(file, ex.Entry, ex.Field, ex.Problem, syntax ? ex.Line : null, syntax ? ex.Column : null);
    }
}
