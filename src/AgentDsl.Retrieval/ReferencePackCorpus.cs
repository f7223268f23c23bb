using System.Xml;
using System.Xml.Linq;

namespace AgentDsl.Retrieval;

/// <summary>
/// A real text corpus present on every machine with the .NET SDK: the XML documentation files of the
/// reference pack (<c>{dotnet root}/packs/Microsoft.NETCore.App.Ref/{version}/ref/net10.0/*.xml</c>), read into
/// chunks of member documentation.
/// </summary>
/// <remarks>
/// Each <c>&lt;member&gt;</c> with a non-empty <c>&lt;summary&gt;</c> gives its text (the summary, then the
/// <c>&lt;remarks&gt;</c> when there are any), rendered to plain text: <c>&lt;see cref&gt;</c>, <c>&lt;paramref&gt;</c>
/// and the like become the names they refer to, white space collapses. A text longer than
/// <see cref="ReferencePackCorpusOptions.MaxWords"/> words or <see cref="ReferencePackCorpusOptions.MaxCharacters"/>
/// characters is split at spaces into several chunks. Chunks are ordered by file name (ordinal), then by
/// position in the file, then by part, so the same files always give the same corpus.
/// </remarks>
public sealed class ReferencePackCorpus
{
    private ReferencePackCorpus(string directory, string? version, IReadOnlyList<string> files, int memberCount, int totalChunks, IReadOnlyList<CorpusChunk> chunks)
    {
        Directory = directory;
        Version = version;
        Files = files;
        MemberCount = memberCount;
        TotalChunks = totalChunks;
        Chunks = chunks;
    }

    /// <summary>The directory the files were read from.</summary>
    public string Directory { get; }

    /// <summary>The reference pack's version (for example <c>10.0.12</c>); null when <see cref="ReferencePackCorpusOptions.Directory"/> was given.</summary>
    public string? Version { get; }

    /// <summary>The documentation files read (file names, ordinal order).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>How many members have a non-empty summary, across all files.</summary>
    public int MemberCount { get; }

    /// <summary>How many chunks the whole corpus has, before <see cref="ReferencePackCorpusOptions.MaxChunks"/>.</summary>
    public int TotalChunks { get; }

    /// <summary>The chunks kept, in corpus order; <see cref="CorpusChunk.Index"/> is the position in this list.</summary>
    public IReadOnlyList<CorpusChunk> Chunks { get; }

    /// <summary>
    /// The reference pack's documentation directory: across the .NET roots (<paramref name="dotNetRoot"/>,
    /// <c>DOTNET_ROOT</c>, the directory of the <c>dotnet</c> executable with symlinks resolved, the running runtime's
    /// root), the highest pack version whose <c>ref/net10.0</c> holds <c>*.xml</c> files.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No root has such a pack; the message lists every path tried.</exception>
    public static (string Directory, string Version) FindReferencePack(string? dotNetRoot = null)
    {
        return FindReferencePack(ReferencePackLocator.CandidateRoots(dotNetRoot));
    }

    /// <summary>The newest reference pack with documentation files under <paramref name="roots"/>.</summary>
    internal static (string Directory, string Version) FindReferencePack(IReadOnlyList<string> roots)
    {
        var tried = new List<string>();
        return ReferencePackLocator.Find(roots, tried)
            ?? throw new DirectoryNotFoundException(
                $"No reference pack with documentation files (packs/Microsoft.NETCore.App.Ref/<version>/ref/{ReferencePackLocator.TargetFramework}/*.xml) was found. "
                + $"Roots: {(roots.Count == 0 ? "none" : string.Join(", ", roots))}. Paths tried: {(tried.Count == 0 ? "none" : string.Join("; ", tried))}. "
                + "Set DOTNET_ROOT or ReferencePackCorpusOptions.DotNetRoot to the .NET SDK's root, or ReferencePackCorpusOptions.Directory to a directory of documentation files.");
    }

    /// <summary>Finds and reads the documentation files and chunks them.</summary>
    /// <exception cref="DirectoryNotFoundException">The reference pack (or <see cref="ReferencePackCorpusOptions.Directory"/>) was not found.</exception>
    /// <exception cref="InvalidDataException">A file is not well-formed XML; the message names it.</exception>
    public static ReferencePackCorpus Load(ReferencePackCorpusOptions? options = null)
    {
        options ??= new ReferencePackCorpusOptions();
        options.Validate();
        string directory;
        string? version = null;
        if (options.Directory is { } explicitDirectory)
        {
            if (!System.IO.Directory.Exists(explicitDirectory))
            {
                throw new DirectoryNotFoundException($"ReferencePackCorpusOptions.Directory '{explicitDirectory}' does not exist.");
            }

            directory = Path.GetFullPath(explicitDirectory);
        }
        else
        {
            (directory, version) = FindReferencePack(options.DotNetRoot);
        }

        string[] paths = [.. System.IO.Directory.EnumerateFiles(directory, "*.xml").Order(StringComparer.Ordinal)];
        if (paths.Length == 0)
        {
            throw new DirectoryNotFoundException($"'{directory}' holds no documentation files (*.xml).");
        }

        // Files are parsed in parallel; the results are joined in file order, so the corpus does not depend on timing.
        var perFile = new List<(string MemberId, int Part, string Title, string Text)>[paths.Length];
        var members = new int[paths.Length];
        var errors = new Exception?[paths.Length];
        Parallel.For(0, paths.Length, i =>
        {
            try
            {
                perFile[i] = ReadFile(paths[i], options, out members[i]);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                errors[i] = ex;
            }
        });

        // The first failing file in file order, as itself (not wrapped in an AggregateException).
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        var all = new List<CorpusChunk>();
        for (int f = 0; f < paths.Length; f++)
        {
            string file = Path.GetFileName(paths[f]);
            foreach (var (memberId, part, title, text) in perFile[f])
            {
                all.Add(new CorpusChunk(all.Count, file, memberId, part, title, text));
            }
        }

        IReadOnlyList<CorpusChunk> kept = options.MaxChunks is { } max ? Sample(all, max) : all;
        return new ReferencePackCorpus(directory, version, [.. paths.Select(Path.GetFileName)!], members.Sum(), all.Count, kept);
    }

    /// <summary>
    /// An evenly spaced sample of <paramref name="chunks"/>: all of them when there are at most <paramref name="count"/>,
    /// otherwise chunk <c>⌊i · total / count⌋</c> for i = 0 … count − 1, renumbered (<see cref="CorpusChunk.Index"/>) from 0.
    /// </summary>
    public static IReadOnlyList<CorpusChunk> Sample(IReadOnlyList<CorpusChunk> chunks, int count)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count >= chunks.Count)
        {
            return chunks;
        }

        var sample = new CorpusChunk[count];
        for (int i = 0; i < count; i++)
        {
            sample[i] = chunks[(int)((long)i * chunks.Count / count)] with { Index = i };
        }

        return sample;
    }

    private static List<(string MemberId, int Part, string Title, string Text)> ReadFile(string path, ReferencePackCorpusOptions options, out int members)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(path);
        }
        catch (XmlException ex)
        {
            throw new InvalidDataException($"Documentation file '{path}' is not well-formed XML: {ex.Message}", ex);
        }

        var chunks = new List<(string, int, string, string)>();
        members = 0;
        foreach (var member in document.Root?.Element("members")?.Elements("member") ?? [])
        {
            string? id = member.Attribute("name")?.Value;
            var summary = member.Element("summary");
            if (id is null || summary is null)
            {
                continue;
            }

            string text = DocText.Render(summary);
            if (member.Element("remarks") is { } remarks && DocText.Render(remarks) is { Length: > 0 } remarksText)
            {
                text = text.Length == 0 ? remarksText : text + " " + remarksText;
            }

            if (text.Length == 0)
            {
                continue;
            }

            members++;
            string title = DocText.WithoutArity(DocText.QualifiedName(id));
            var parts = TextChunker.Split(text, options.MaxWords, options.MaxCharacters);
            for (int p = 0; p < parts.Count; p++)
            {
                chunks.Add((id, p, title, parts[p]));
            }
        }

        return chunks;
    }
}
