using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Tco;

/// <summary>Total-cost-of-ownership assumptions: financing, energy and how to price an hour.</summary>
public sealed record TcoAssumptions
{
    /// <summary>Years the hardware is financed and used. Paper: 4.</summary>
    public double LifetimeYears { get; init; } = 4;

    /// <summary>Annual interest rate. Paper: 8%.</summary>
    public double InterestRate { get; init; } = 0.08;

    /// <summary>Energy price, $/kWh. Paper: $0.40.</summary>
    public double EnergyUsdPerKwh { get; init; } = 0.40;

    /// <summary>Power usage effectiveness. Paper: no datacentre costs, so 1.</summary>
    public double Pue { get; init; } = 1.0;

    /// <summary>How an hour is priced.</summary>
    public PriceReading Reading { get; init; } = PriceReading.FirstPrinciples;

    /// <summary>Hours in a year.</summary>
    public const double HoursPerYear = 8760;

    /// <summary>The annual payment that repays <paramref name="price"/> over <see cref="LifetimeYears"/> at <see cref="InterestRate"/> (annuity).</summary>
    public double AnnualPayment(double price) =>
        InterestRate == 0 ? price / LifetimeYears : price * InterestRate / (1 - Math.Pow(1 + InterestRate, -LifetimeYears));

    /// <summary>The financing payment for one hour of <paramref name="device"/>: <see cref="AnnualPayment"/> of its purchase price over <see cref="HoursPerYear"/>.</summary>
    /// <exception cref="InvalidOperationException">The catalog has no purchase price for the device.</exception>
    public double CapitalPerHour(DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return AnnualPayment(device.PriceUsd ?? throw Missing(device, "priceUsd")) / HoursPerYear;
    }

    /// <summary>Whether the energy price and a device's power enter <see cref="HourlyCost"/> under <see cref="Reading"/> (only <see cref="PriceReading.FirstPrinciples"/>).</summary>
    public bool UsesPower => Reading == PriceReading.FirstPrinciples;

    /// <summary>Energy cost of an hour at maximum power.</summary>
    /// <exception cref="InvalidOperationException">The device has no power figure (a profile's own device may leave it out).</exception>
    public double EnergyPerHour(DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return (device.PowerW ?? throw Missing(device, "powerW")) / 1000 * EnergyUsdPerKwh * Pue;
    }

    /// <summary>What an hour of <paramref name="device"/> costs under <see cref="Reading"/>.</summary>
    /// <exception cref="InvalidOperationException">The catalog lacks the figure this reading needs; the message names the device and field.</exception>
    public double HourlyCost(DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return Reading switch
        {
            PriceReading.FirstPrinciples => CapitalPerHour(device) + EnergyPerHour(device),
            PriceReading.PaperOperatingCost => device.OperatingUsdPerHour ?? throw Missing(device, "operatingUsdPerHour"),
            PriceReading.FinancedPlusOperatingCost => CapitalPerHour(device) + (device.OperatingUsdPerHour ?? throw Missing(device, "operatingUsdPerHour")),
            _ => device.RentalUsdPerHour ?? throw Missing(device, "rentalUsdPerHour"),
        };
    }

    private InvalidOperationException Missing(DeviceSpec device, string field) =>
        new($"Device '{device.Name}' has no '{field}' in the catalog, which the {Reading} price reading needs; add it to a catalog file of your own.");
}
