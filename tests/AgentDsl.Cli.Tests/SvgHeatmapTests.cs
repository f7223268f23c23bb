using System.Xml.Linq;
using AgentDsl.Cli;
using Xunit;

namespace AgentDsl.Cli.Tests;

public sealed class SvgHeatmapTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Render_ColoursCellsOnTheScaleAndLeavesInfeasibleOnesWhite()
    {
        var data = new double[,] { { -1, double.NaN }, { 0.5, 2 } };
        string svg = SvgHeatmap.Render(data, ["a<b", "c"], ["p&d", "q"], "title \"x\"", "bar", 800, 600);

        var doc = XDocument.Parse(svg); // well-formed: labels are escaped
        var cells = doc.Root!.Elements(Svg + "rect").Where(r => r.Element(Svg + "title") is not null).ToList();
        Assert.Equal(4, cells.Count);
        string Fill(int i) => cells[i].Attribute("fill")!.Value;
        Assert.Equal(SvgHeatmap.Turbo(0), Fill(0));        // the minimum
        Assert.Equal("#ffffff", Fill(1));                  // NaN = infeasible
        Assert.Equal(SvgHeatmap.Turbo(0.5), Fill(2));      // halfway between -1 and 2
        Assert.Equal(SvgHeatmap.Turbo(1), Fill(3));        // the maximum
        Assert.NotEqual(Fill(0), Fill(3));
        Assert.Contains(doc.Root.Elements(Svg + "text"), t => t.Value == "a<b");
        Assert.Contains(doc.Root.Elements(Svg + "text"), t => t.Value == "p&d");
        Assert.Contains(doc.Root.Elements(Svg + "text"), t => t.Value == "title \"x\"");
    }

    [Fact]
    public void Render_RejectsLabelsThatDoNotMatchTheData()
    {
        var ex = Assert.Throws<ArgumentException>(() => SvgHeatmap.Render(new double[2, 3], ["a"], ["x", "y", "z"], "t", "b", 800, 600));
        Assert.Contains("2×3", ex.Message, StringComparison.Ordinal);
    }
}
