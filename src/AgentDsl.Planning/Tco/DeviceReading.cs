using System.Globalization;
using System.Text.Json;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>Which device figures the study uses.</summary>
public enum DeviceReading
{
    /// <summary>The catalog's dense datasheet figures (FP16 and FP8 tensor rates, memory, bandwidth).</summary>
    Datasheet,

    /// <summary>The paper's table 5 as printed (its H100 FP16 figure is the sparse one); FP8 from the catalog.</summary>
    PaperTable,
}
