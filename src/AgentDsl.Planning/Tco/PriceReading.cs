using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>How an hour of a device is priced.</summary>
public enum PriceReading
{
    /// <summary>Purchase price financed over the lifetime (annuity) plus energy at maximum power: the paper's stated assumptions.</summary>
    FirstPrinciples,

    /// <summary>The paper's operating-cost column ($/h), taken as given.</summary>
    PaperOperatingCost,

    /// <summary>The catalog's hourly rental figure.</summary>
    Rental,

    /// <summary>
    /// Purchase price financed over the lifetime (annuity, as <see cref="FirstPrinciples"/>) plus the paper's
    /// operating-cost column ($/h) as the running cost in place of energy at maximum power.
    /// </summary>
    FinancedPlusOperatingCost,
}
