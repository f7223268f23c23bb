using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>
/// A power sensitivity row: a device whose sources give different maximum-power figures, and the study under
/// each of them (only the device's power changes; every other figure stays as in the reading).
/// </summary>
/// <param name="Device">The device.</param>
/// <param name="BaseWatts">The power the reading itself uses (the catalog's figure).</param>
/// <param name="Cases">One case per distinct figure, lowest power first.</param>
public sealed record TcoPowerSensitivity(string Device, double BaseWatts, IReadOnlyList<TcoPowerCase> Cases);
