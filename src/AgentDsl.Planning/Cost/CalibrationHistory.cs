using System.Collections.Concurrent;

namespace AgentDsl.Planning.Cost;

/// <summary>
/// Measured run times per operator, device and input-size bucket (powers of two), as StarPU's
/// history-based models keep them, but robust: the estimate is the median of the last
/// <see cref="Window"/> measurements, so a single outlier cannot move it. With fewer than
/// <see cref="MinimumSamples"/> measurements the roofline prediction is scaled by the median
/// measured/predicted ratio seen so far for that operator and device.
/// </summary>
public sealed class CalibrationHistory
{
    /// <summary>Measurements kept per key.</summary>
    public const int Window = 31;

    /// <summary>Measurements needed before the median replaces the model.</summary>
    public const int MinimumSamples = 3;

    private readonly ConcurrentDictionary<(string Operator, string Device, int Bucket), Samples> _samples = new();
    private readonly ConcurrentDictionary<(string Operator, string Device), Samples> _ratios = new();

    /// <summary>Records a measured time.</summary>
    /// <param name="operatorName">The operator.</param>
    /// <param name="device">The device (type) name.</param>
    /// <param name="inputSize">Input size (bytes or FLOPs) used for bucketing.</param>
    /// <param name="seconds">Measured seconds.</param>
    /// <param name="predictedSeconds">What the model predicted, if known (used for the ratio).</param>
    public void Record(string operatorName, string device, double inputSize, double seconds, double? predictedSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(operatorName);
        ArgumentNullException.ThrowIfNull(device);
        if (double.IsNaN(seconds) || seconds < 0)
        {
            return;
        }

        _samples.GetOrAdd((operatorName, device, Bucket(inputSize)), _ => new Samples()).Add(seconds);
        if (predictedSeconds is > 0)
        {
            _ratios.GetOrAdd((operatorName, device), _ => new Samples()).Add(seconds / predictedSeconds.Value);
        }
    }

    /// <summary>How many measurements a key has.</summary>
    public int Count(string operatorName, string device, double inputSize) =>
        _samples.TryGetValue((operatorName, device, Bucket(inputSize)), out var s) ? s.Count : 0;

    /// <summary>The prediction by the <see cref="CostChain"/>: the measured median with enough samples, else the model scaled by the median ratio, else the model.</summary>
    public double Predict(string operatorName, string device, double inputSize, double modelSeconds) =>
        CostChain.Choose(MeasuredSeconds(operatorName, device, inputSize), modelSeconds, Ratio(operatorName, device), modelSeconds).Seconds;

    /// <summary>The median of the measurements of a key, or NaN with fewer than <see cref="MinimumSamples"/>.</summary>
    public double MeasuredSeconds(string operatorName, string device, double inputSize) =>
        _samples.TryGetValue((operatorName, device, Bucket(inputSize)), out var s) && s.Count >= MinimumSamples ? s.Median() : double.NaN;

    /// <summary>The median ratio measured/predicted seen for an operator on a device, or NaN before any.</summary>
    public double Ratio(string operatorName, string device) =>
        _ratios.TryGetValue((operatorName, device), out var r) && r.Count > 0 ? r.Median() : double.NaN;

    /// <summary>Power-of-two size bucket.</summary>
    public static int Bucket(double size) => size <= 1 ? 0 : (int)Math.Floor(Math.Log2(size));

    private sealed class Samples
    {
        private readonly double[] _values = new double[Window];
        private int _next;
        private int _count;

        public int Count
        {
            get
            {
                lock (_values)
                {
                    return _count;
                }
            }
        }

        public void Add(double value)
        {
            lock (_values)
            {
                _values[_next] = value;
                _next = (_next + 1) % Window;
                _count = Math.Min(_count + 1, Window);
            }
        }

        public double Median()
        {
            double[] copy;
            lock (_values)
            {
                copy = _values[.._count];
            }

            Array.Sort(copy);
            int mid = copy.Length / 2;
            return copy.Length % 2 == 1 ? copy[mid] : (copy[mid - 1] + copy[mid]) / 2;
        }
    }
}
