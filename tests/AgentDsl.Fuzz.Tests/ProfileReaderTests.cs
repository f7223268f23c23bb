using AgentDsl.Planning.Shared;
using Xunit;

namespace AgentDsl.Fuzz.Tests;

/// <summary>Cases the JSON fuzzer found in the analyzers' profile reader (compiled into this project).</summary>
public class ProfileReaderTests
{
    [Fact]
    public void BackslashAtTheEndOfALine_IsReportedOnThatLine()
    {
        // Was "bad escape" at line 2, column 0: the reader had stepped over the line break.
        string text = "{ \"devices\": [\n  { \"catalog\": \"H1\\\n00\" } ] }";
        var error = Assert.Throws<ProfileException>(() => ProfileReader.ReadProfile(text, []));
        Assert.Equal(2, error.Line);
        Assert.Equal(text.IndexOf('\\', StringComparison.Ordinal) + 1, error.Offset);
        Assert.Equal(error.Offset - text.IndexOf('\n', StringComparison.Ordinal), error.Column);
        Assert.Contains("unterminated string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestingDeeperThan64_IsAnErrorAtTheBracket_NotAStackOverflow()
    {
        string text = "{ \"devices\": " + new string('[', 100_000) + new string(']', 100_000) + " }";
        var error = Assert.Throws<ProfileException>(() => ProfileReader.ReadProfile(text, []));
        Assert.Equal(1, error.Line);
        Assert.Equal("{ \"devices\": ".Length + 63, error.Offset); // the root object is level 1
        Assert.Contains("nested more than 64", error.Message, StringComparison.Ordinal);
    }
}
