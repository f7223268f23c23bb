using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>The study rerun with one device's power set to one of its published figures.</summary>
/// <param name="Figure">The figure used.</param>
/// <param name="HourlyCost">The device's hourly cost with that figure.</param>
/// <param name="Rows">Every configuration, as <see cref="TcoStudy.Run"/> returns it.</param>
public sealed record TcoPowerCase(PowerFigure Figure, double HourlyCost, IReadOnlyList<TcoRow> Rows);
