using System.Globalization;
using System.Text;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Cli;

/// <summary>The power sensitivity rows of one reading.</summary>
/// <param name="Devices">The device reading.</param>
/// <param name="Prices">The price reading.</param>
/// <param name="Rows">One row per device whose power figures differ between sources.</param>
public sealed record TcoSensitivityRun(DeviceReading Devices, PriceReading Prices, IReadOnlyList<TcoPowerSensitivity> Rows);
