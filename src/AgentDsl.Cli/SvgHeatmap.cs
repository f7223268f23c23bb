using System.Globalization;
using System.Text;

namespace AgentDsl.Cli;

/// <summary>
/// A heatmap written as plain SVG text: rows of labelled cells coloured on the Turbo scale, a colour bar and a title.
/// No plotting library and no native code, so the tool carries no per-platform binaries for its charts.
/// </summary>
internal static class SvgHeatmap
{
    private const int Left = 260, Right = 120, Bottom = 230, Top = 50, BarWidth = 20;

    /// <summary>Writes <paramref name="data"/> (rows × columns; NaN = blank white cell) as an SVG document.</summary>
    public static string Render(double[,] data, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, string title, string barLabel, int width, int height)
    {
        int rows = data.GetLength(0), cols = data.GetLength(1);
        if (rowLabels.Count != rows || columnLabels.Count != cols)
        {
            throw new ArgumentException($"The heatmap has {rows}×{cols} cells but {rowLabels.Count} row and {columnLabels.Count} column labels.", nameof(data));
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in data)
        {
            if (double.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        if (min > max)
        {
            (min, max) = (0, 1);
        }

        double span = max > min ? max - min : 1;
        double plotW = width - Left - Right, plotH = height - Top - Bottom;
        double cellW = plotW / Math.Max(cols, 1), cellH = plotH / Math.Max(rows, 1);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{Top / 2 + 6}\" text-anchor=\"middle\" font-size=\"16\">{Escape(title)}</text>\n");
        for (int r = 0; r < rows; r++)
        {
            double y = Top + (r * cellH);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + (cellH / 2) + 4)}\" text-anchor=\"end\">{Escape(rowLabels[r])}</text>\n");
            for (int c = 0; c < cols; c++)
            {
                double v = data[r, c];
                string fill = double.IsFinite(v) ? Turbo((v - min) / span) : "#ffffff";
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Left + (c * cellW))}\" y=\"{F(y)}\" width=\"{F(cellW)}\" height=\"{F(cellH)}\" fill=\"{fill}\"><title>{Escape(rowLabels[r])} / {Escape(columnLabels[c])}: {(double.IsFinite(v) ? F(v) : "infeasible")}</title></rect>\n");
            }
        }

        for (int c = 0; c < cols; c++)
        {
            double x = Left + (c * cellW) + (cellW / 2) - 4; // rotated 90°, the glyphs extend to +x: centre them on the column
            double y = Top + plotH + 6;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{F(y)}\" transform=\"rotate(90 {F(x)} {F(y)})\">{Escape(columnLabels[c])}</text>\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"none\" stroke=\"black\"/>\n");

        // The colour bar: a vertical gradient from max (top) to min (bottom), three tick labels and its label.
        int barX = width - Right + 20;
        sb.Append("<defs><linearGradient id=\"turbo\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int i = 0; i <= 10; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<stop offset=\"{i / 10.0:0.0}\" stop-color=\"{Turbo(i / 10.0)}\"/>");
        }

        sb.Append("</linearGradient></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{barX}\" y=\"{Top}\" width=\"{BarWidth}\" height=\"{F(plotH)}\" fill=\"url(#turbo)\" stroke=\"black\"/>\n");
        foreach (var (value, y) in new[] { (max, Top + 4.0), ((min + max) / 2, Top + (plotH / 2) + 4), (min, Top + plotH + 4) })
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{barX + BarWidth + 4}\" y=\"{F(y)}\">{value:0.00}</text>\n");
        }

        double lx = barX + BarWidth + 60, ly = Top + (plotH / 2);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(lx)}\" y=\"{F(ly)}\" text-anchor=\"middle\" transform=\"rotate(90 {F(lx)} {F(ly)})\">{Escape(barLabel)}</text>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>The Turbo colour map at <paramref name="t"/> in [0, 1] (Mikhailov's polynomial fit), as #rrggbb.</summary>
    internal static string Turbo(double t)
    {
        t = Math.Clamp(t, 0, 1);
        double r = 0.13572138 + (t * (4.61539260 + (t * (-42.66032258 + (t * (132.13108234 + (t * (-152.94239396 + (t * 59.28637943)))))))));
        double g = 0.09140261 + (t * (2.19418839 + (t * (4.84296658 + (t * (-14.18503333 + (t * (4.27729857 + (t * 2.82956604)))))))));
        double b = 0.10667330 + (t * (12.64194608 + (t * (-60.58204836 + (t * (110.36276771 + (t * (-89.90310912 + (t * 27.34824973)))))))));
        return string.Create(CultureInfo.InvariantCulture, $"#{Byte(r):x2}{Byte(g):x2}{Byte(b):x2}");
    }

    private static int Byte(double channel) => (int)Math.Round(Math.Clamp(channel, 0, 1) * 255);

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
