using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Retrieval.Tests;

public sealed class CorpusTests(ITestOutputHelper output)
{
    private static ReferencePackCorpus Corpus => SharedCorpus.Value;

    [Fact]
    public void TheReferencePackHasOverAHundredFilesAndTensOfThousandsOfMembers()
    {
        var corpus = Corpus;
        output.WriteLine($"{corpus.Directory} (pack {corpus.Version}): {corpus.Files.Count} files, {corpus.MemberCount} members with a summary, {corpus.TotalChunks} chunks");
        Assert.True(corpus.Files.Count > 100, $"{corpus.Files.Count} files");
        Assert.True(corpus.MemberCount > 10_000, $"{corpus.MemberCount} members");
        Assert.Equal(corpus.TotalChunks, corpus.Chunks.Count);
        Assert.True(corpus.Chunks.Count >= corpus.MemberCount);
        Assert.NotNull(corpus.Version);
        Assert.Equal("net10.0", Path.GetFileName(corpus.Directory));
        Assert.Equal(Directory.GetFiles(corpus.Directory, "*.xml").Length, corpus.Files.Count);
    }

    [Fact]
    public void ChunksAreOrderedByFileThenPositionAndKeepTheirSource()
    {
        var corpus = Corpus;
        Assert.Equal(corpus.Files.Order(StringComparer.Ordinal), corpus.Files);
        var fileRank = corpus.Files.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i);
        for (int i = 0; i < corpus.Chunks.Count; i++)
        {
            var chunk = corpus.Chunks[i];
            Assert.Equal(i, chunk.Index);
            if (i > 0)
            {
                Assert.True(fileRank[corpus.Chunks[i - 1].File] <= fileRank[chunk.File], $"chunk {i} ({chunk.File}) after {corpus.Chunks[i - 1].File}");
            }

            Assert.True(chunk.Text.Length is > 0 and <= ReferencePackCorpusOptions.DefaultMaxCharacters, $"chunk {i}: {chunk.Text.Length} characters");
            Assert.True(chunk.Text.Split(' ').Length <= ReferencePackCorpusOptions.DefaultMaxWords, $"chunk {i}: too many words");
            Assert.DoesNotContain("  ", chunk.Text, StringComparison.Ordinal);
            Assert.Equal(chunk.Text.Trim(), chunk.Text);
            Assert.True(chunk.EmbeddingText.Length <= CorpusChunk.MaxTitleCharacters + 2 + ReferencePackCorpusOptions.DefaultMaxCharacters);
        }

        // A known member: its source, and its summary with <see langword="null"/> rendered as the word.
        var known = Assert.Single(corpus.Chunks, c => c.MemberId == "M:System.String.IsNullOrWhiteSpace(System.String)");
        Assert.Equal("System.Runtime.xml", known.File);
        Assert.Equal("System.String.IsNullOrWhiteSpace", known.Title);
        Assert.Equal("Indicates whether a specified string is null, empty, or consists only of white-space characters.", known.Text);

        // Split members: consecutive parts 0, 1, … of the same member.
        var split = corpus.Chunks.Where(c => c.Part > 0).ToList();
        Assert.NotEmpty(split);
        foreach (var part in split)
        {
            var previous = corpus.Chunks[part.Index - 1];
            Assert.Equal(part.MemberId, previous.MemberId);
            Assert.Equal(part.Part - 1, previous.Part);
        }
    }

    [Fact]
    public void SamplingIsEvenlySpacedAndRenumbered()
    {
        var all = Corpus.Chunks;
        var sample = ReferencePackCorpus.Sample(all, 1_000);
        Assert.Equal(1_000, sample.Count);
        Assert.Equal(Enumerable.Range(0, 1_000), sample.Select(c => c.Index));
        Assert.Equal(all[0].MemberId, sample[0].MemberId);
        Assert.Equal(all[(int)(999L * all.Count / 1_000)].MemberId, sample[999].MemberId);
        Assert.True(sample.Select(c => c.File).Distinct().Count() > 50, "the sample spans the files");
        Assert.Same(all, ReferencePackCorpus.Sample(all, all.Count));
    }
}

public sealed class DocumentationRenderingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("agentdsl-docs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ReferencePackCorpus Load(string members, ReferencePackCorpusOptions? options = null, string file = "A.xml")
    {
        File.WriteAllText(Path.Combine(_directory, file), $"<?xml version=\"1.0\" encoding=\"utf-8\"?><doc><assembly><name>A</name></assembly><members>{members}</members></doc>");
        options ??= new ReferencePackCorpusOptions();
        options.Directory = _directory;
        return ReferencePackCorpus.Load(options);
    }

    [Fact]
    public void ReferencesRenderAsTheirNamesAndWhiteSpaceCollapses()
    {
        var corpus = Load("""
            <member name="M:N.Widget.Spin``1(System.Int32,``0)">
              <summary>Spins a <see cref="T:System.Collections.Generic.IEnumerable`1" /> with
                <paramref name="count" />   turns of <typeparamref name="T" />; see <see cref="M:System.String.Split(System.Char[])" />,
                <see cref="M:N.Widget.#ctor(System.Int32)" />, <see langword="null" />, <xref data-throw-if-not-resolved="true" uid="System.Diagnostics.Activity"></xref>,
                <see cref="P:N.Widget.Speed">the speed</see> and <c>x &lt; y</c>.<para>Second   paragraph.</para></summary>
              <remarks>Remarks too.</remarks>
            </member>
            <member name="T:N.NoSummary"><remarks>Only remarks.</remarks></member>
            <member name="T:N.EmptySummary"><summary>   </summary></member>
            """);
        var chunk = Assert.Single(corpus.Chunks);
        Assert.Equal("Spins a IEnumerable with count turns of T; see String.Split, Widget, null, Activity, the speed and x < y. Second paragraph. Remarks too.", chunk.Text);
        Assert.Equal("N.Widget.Spin", chunk.Title);
        Assert.Equal("M:N.Widget.Spin``1(System.Int32,``0)", chunk.MemberId);
        Assert.Equal("A.xml", chunk.File);
        Assert.Equal(1, corpus.MemberCount);
        Assert.Null(corpus.Version);
    }

    [Fact]
    public void LongTextsSplitAtWordAndCharacterLimits()
    {
        string words = string.Join(' ', Enumerable.Range(0, 150).Select(i => "w" + i));
        string longWord = new('x', 50);
        var corpus = Load($"""
            <member name="T:N.Long"><summary>{words}</summary></member>
            <member name="T:N.Wide"><summary>{longWord} tail</summary></member>
            """, new ReferencePackCorpusOptions { MaxWords = 64, MaxCharacters = 40 });
        var parts = corpus.Chunks.Where(c => c.MemberId == "T:N.Long").ToList();
        Assert.All(parts, p => Assert.True(p.Text.Length <= 40 && p.Text.Split(' ').Length <= 64, p.Text));
        Assert.Equal(Enumerable.Range(0, parts.Count), parts.Select(p => p.Part));
        Assert.Equal(words, string.Join(' ', parts.Select(p => p.Text)));
        Assert.All(parts, p => Assert.DoesNotContain(" ", p.Text[..1] + p.Text[^1..], StringComparison.Ordinal));

        var wide = corpus.Chunks.Where(c => c.MemberId == "T:N.Wide").Select(c => c.Text).ToList();
        Assert.Equal([new string('x', 40), new string('x', 10) + " tail"], wide);

        var byWords = Load($"""<member name="T:N.Long"><summary>{words}</summary></member>""", new ReferencePackCorpusOptions { MaxWords = 64 });
        Assert.Equal([64, 64, 22], byWords.Chunks.Select(c => c.Text.Split(' ').Length));
    }

    [Fact]
    public void LoadingTwiceGivesTheSameCorpus()
    {
        File.WriteAllText(Path.Combine(_directory, "B.xml"), """<doc><members><member name="T:B.One"><summary>One.</summary></member><member name="T:B.Two"><summary>Two.</summary></member></members></doc>""");
        var first = Load("""<member name="T:A.Z"><summary>Zed.</summary></member>""");
        var second = ReferencePackCorpus.Load(new ReferencePackCorpusOptions { Directory = _directory });
        Assert.Equal(first.Chunks, second.Chunks);
        Assert.Equal(["A.xml", "B.xml"], first.Files);
        Assert.Equal(["T:A.Z", "T:B.One", "T:B.Two"], first.Chunks.Select(c => c.MemberId));

        var capped = ReferencePackCorpus.Load(new ReferencePackCorpusOptions { Directory = _directory, MaxChunks = 2 });
        Assert.Equal(["T:A.Z", "T:B.One"], capped.Chunks.Select(c => c.MemberId));
        Assert.Equal(3, capped.TotalChunks);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        File.WriteAllText(Path.Combine(_directory, "Broken.xml"), "<doc><members>");
        var ex = Assert.Throws<InvalidDataException>(() => ReferencePackCorpus.Load(new ReferencePackCorpusOptions { Directory = _directory }));
        Assert.Contains("Broken.xml", ex.Message, StringComparison.Ordinal);

        var missing = Path.Combine(_directory, "nope");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => ReferencePackCorpus.Load(new ReferencePackCorpusOptions { Directory = missing })).Message, StringComparison.Ordinal);
        Assert.Contains("MaxCharacters", Assert.Throws<ArgumentOutOfRangeException>(() => ReferencePackCorpus.Load(new ReferencePackCorpusOptions { MaxCharacters = 401 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHighestPackVersionWithDocumentationWins()
    {
        void Pack(string root, string version, bool xml)
        {
            string docs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref", version, "ref", "net10.0");
            Directory.CreateDirectory(docs);
            if (xml)
            {
                File.WriteAllText(Path.Combine(docs, "X.xml"), "<doc/>");
            }
        }

        string first = Path.Combine(_directory, "first"), second = Path.Combine(_directory, "second"), empty = Path.Combine(_directory, "empty");
        Pack(first, "10.0.2", xml: true);
        Pack(first, "10.0.10", xml: true);
        Pack(first, "10.0.99", xml: false);
        Pack(second, "10.0.9", xml: true);
        Assert.Equal("10.0.10", ReferencePackCorpus.FindReferencePack([first, second]).Version);
        Pack(second, "11.0.0-preview.1", xml: true);
        var (directory, version) = ReferencePackCorpus.FindReferencePack([first, second]);
        Assert.Equal("11.0.0-preview.1", version);
        Assert.Equal(Path.Combine(second, "packs", "Microsoft.NETCore.App.Ref", "11.0.0-preview.1", "ref", "net10.0"), directory);
        Pack(second, "11.0.0", xml: true);
        Assert.Equal("11.0.0", ReferencePackCorpus.FindReferencePack([first, second]).Version);

        // None: the message names every path tried.
        Pack(empty, "10.0.1", xml: false);
        var ex = Assert.Throws<DirectoryNotFoundException>(() => ReferencePackCorpus.FindReferencePack([empty, Path.Combine(_directory, "absent")]));
        Assert.Contains(Path.Combine(empty, "packs", "Microsoft.NETCore.App.Ref", "10.0.1", "ref", "net10.0") + " (no *.xml)", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory, "absent", "packs", "Microsoft.NETCore.App.Ref") + " (missing)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReferencePackIsFoundFromTheRuntimeWhenTheGivenRootIsWrong()
    {
        var (directory, version) = ReferencePackCorpus.FindReferencePack(Path.Combine(_directory, "not-a-dotnet-root"));
        Assert.True(Directory.GetFiles(directory, "*.xml").Length > 100);
        Assert.False(string.IsNullOrEmpty(version));
    }
}
