using AgentDsl.Hosting;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;
using Microsoft.Extensions.Options;

namespace AgentDsl.Devices;

/// <summary>
/// The runtime's default placement: the HEFT list scheduler of AgentDsl.Planning run over the devices in service,
/// with each node's time on each device taken from the runtime's measurements and each device's backlog as the time
/// it becomes free. A device with concurrency <c>c</c> is planned as <c>min(c, 8)</c> parallel slots.
/// <para>
/// A node's time on a device follows the cost chain (<see cref="CostChain"/>, docs/runtime.md "The cost chain"): its
/// measured mean there; else, when the node states cost hints (<c>Flops</c>, <c>BytesMoved</c>) and every device that may
/// host it has figures (<see cref="DeviceDescriptor.Figures"/>, from the device, the catalog or the host's hardware
/// profile), the roofline on that device, times the lowest ratio measured/roofline the node has shown on devices it ran
/// on; else the prior: the best mean measured for the node on any device (1 ms when none), times 0.9 on a device kind
/// the node prefers (so a preferred device is tried) and times 2 on others. A predicted time is never below the quickest
/// node measured on that device (its launch or network latency). Without measurements or figures this reproduces the
/// kind-preference placement of <see cref="DefaultPlacementPolicy"/>; with figures, the first request is placed by the
/// roofline.
/// </para>
/// </summary>
public sealed class PlannedPlacementPolicy : IPlacementPolicy
{
    /// <summary>Parallel slots planned for a device at most.</summary>
    public const int MaxSlots = 8;

    /// <summary>The prior on a device kind the node prefers, as a factor of its best time elsewhere.</summary>
    public const double PreferredPriorFactor = 0.9;

    /// <summary>The prior on a device kind the node does not prefer, as a factor of its best time elsewhere.</summary>
    public const double OtherPriorFactor = 2;

    /// <summary>
    /// The refinement budget of the runtime's HEFT (<see cref="HeftPlanner.RefinementBudget"/>): a re-plan runs on the
    /// request that triggers it, so refinement is held to about a millisecond (small graphs are refined fully).
    /// </summary>
    public const int RefinementBudget = 20_000;

    private readonly HeftPlanner _heft = new() { RefinementBudget = RefinementBudget };
    private readonly CostModel _model = new();
    private readonly DeviceFigureSource? _figures;

    /// <summary>Places with the devices' own figures only.</summary>
    public PlannedPlacementPolicy()
    {
    }

    /// <summary>Places with the figures the host's options give (<see cref="AgentDslOptions.HardwareProfile"/>, <see cref="DeviceOptions.Catalog"/>) before the devices' own.</summary>
    public PlannedPlacementPolicy(IOptions<AgentDslOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _figures = DeviceFigureSource.Of(options.Value);
    }

    /// <summary>Places without measurements (the priors alone).</summary>
    public IReadOnlyList<IAgentDevice> Place(GraphDefinition graph, IReadOnlyList<IAgentDevice> devices) =>
        Place(new PlacementRequest(graph, devices, NoEstimates.Instance, "start"));

    /// <inheritdoc/>
    public IReadOnlyList<IAgentDevice> Place(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var graph = request.Graph;
        var devices = request.Devices;
        var slots = new List<PlanDevice>();
        var owner = new List<int>();
        for (int d = 0; d < devices.Count; d++)
        {
            var descriptor = devices[d].Descriptor;
            int count = Math.Clamp(descriptor.MaxConcurrency == int.MaxValue ? Environment.ProcessorCount : descriptor.MaxConcurrency, 1, MaxSlots);
            var spec = new DeviceSpec
            {
                Name = descriptor.Name,
                Kind = descriptor.Kind,
                MemoryGB = descriptor.MemoryBytes > 0 ? descriptor.MemoryBytes / 1e9 : 1e6,
            };
            double ready = request.Estimates.BacklogMilliseconds(devices[d]) / 1000.0;
            for (int s = 0; s < count; s++)
            {
                slots.Add(new PlanDevice($"{descriptor.Name}#{s}", spec) { ReadyAt = ready, HourlyCost = descriptor.HourlyCostUsd });
                owner.Add(d);
            }
        }

        var specs = devices.Select(d => CostChain.ToSpec(_figures is null ? d.Descriptor : d.Descriptor with { Figures = _figures.For(d.Descriptor) })).ToArray();
        var costs = new MeasuredCosts(request, slots, owner, specs, _model);
        var unplaceable = graph.Nodes.FirstOrDefault(n => !slots.Any(s => costs.Fits(n, s)));
        if (unplaceable is not null)
        {
            throw new PlacementException(
                $"Graph '{graph.Name}': {unplaceable.Describe()} allows devices '{unplaceable.Cost.AllowedDevices}', but no device in service can run it "
                + $"({(devices.Count == 0 ? "none is in service" : string.Join(", ", devices.Select(d => d.Descriptor.ToString())))}).");
        }

        var plan = _heft.Plan(graph, slots, costs, slaSeconds: null);
        if (plan.Problem is { } problem && plan.Nodes.Count == 0)
        {
            throw new PlacementException($"Graph '{graph.Name}': {problem.Message}");
        }

        var bySlot = slots.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => owner[x.i], StringComparer.Ordinal);
        return [.. plan.Nodes.Select(p => devices[bySlot[p.Device]])];
    }

    /// <summary>Node times by the cost chain: measurements, else the roofline, else the prior; transfers are part of the measured node times.</summary>
    private sealed class MeasuredCosts(PlacementRequest request, List<PlanDevice> slots, List<int> owner, DeviceSpec?[] specs, CostModel model) : IPlacementCosts
    {
        private readonly Dictionary<(int Node, int Device), double> _seconds = [];
        private readonly Dictionary<PlanDevice, int> _slotIndex = slots.Select((s, i) => (s, i)).ToDictionary<(PlanDevice s, int i), PlanDevice, int>(x => x.s, x => x.i, ReferenceEqualityComparer.Instance);
        private readonly double?[] _floors = new double?[request.Devices.Count];
        private readonly Dictionary<int, double> _ratios = [];

        public double Seconds(NodeDefinition node, PlanDevice device)
        {
            int d = owner[_slotIndex[device]];
            if (_seconds.TryGetValue((node.Id, d), out double cached))
            {
                return cached;
            }

            var estimate = CostChain.Choose(Measured(node, d), Roofline(node, d), Ratio(node), Prior(node, d));

            // No node runs faster on a device than the quickest node measured on that device (its launch or network latency).
            double seconds = estimate.Source == CostSource.Measured ? estimate.Seconds : Math.Max(estimate.Seconds, FloorMilliseconds(d) / 1000.0);
            _seconds[(node.Id, d)] = seconds;
            return seconds;
        }

        private double Measured(NodeDefinition node, int d) =>
            request.Estimates.TryGetMilliseconds(node.Id, request.Devices[d], out double ms) ? ms / 1000.0 : double.NaN;

        /// <summary>The roofline, when the node states work and every device that may host it has the figures for it (so devices compare like for like); else NaN.</summary>
        private double Roofline(NodeDefinition node, int d)
        {
            for (int i = 0; i < specs.Length; i++)
            {
                if (request.Devices[i].CanHost(node, request.Devices) && (specs[i] is not { } spec || !CostChain.CanPredict(node, spec)))
                {
                    return double.NaN;
                }
            }

            return specs[d] is { } own ? model.RooflineSeconds(node, own) : double.NaN;
        }

        /// <summary>The lowest measured/roofline ratio of the node on the devices it has run on (NaN when none): how far the roofline is from what the node really does.</summary>
        private double Ratio(NodeDefinition node)
        {
            if (_ratios.TryGetValue(node.Id, out double cached))
            {
                return cached;
            }

            double ratio = double.PositiveInfinity;
            for (int i = 0; i < specs.Length; i++)
            {
                double measured = Measured(node, i), roofline = Roofline(node, i);
                if (!double.IsNaN(measured) && roofline > 0)
                {
                    ratio = Math.Min(ratio, measured / roofline);
                }
            }

            return _ratios[node.Id] = double.IsPositiveInfinity(ratio) ? double.NaN : ratio;
        }

        private double Prior(NodeDefinition node, int d)
        {
            double best = request.Estimates.BestMilliseconds(node.Id);
            double prior = double.IsNaN(best) ? CostChain.PriorSeconds : best / 1000.0;
            bool preferred = (node.Cost.PreferredDevices & request.Devices[d].Descriptor.Kind) != 0;
            return prior * (preferred ? PreferredPriorFactor : OtherPriorFactor);
        }

        public bool Fits(NodeDefinition node, PlanDevice device) => request.Devices[owner[_slotIndex[device]]].CanHost(node, request.Devices);

        public double TransferSeconds(NodeDefinition producer, PlanDevice from, PlanDevice to) => 0;

        public double Cost(NodeDefinition node, PlanDevice device) => Seconds(node, device) * device.HourlyCost / 3600;

        public double TransferCost(NodeDefinition producer, PlanDevice from, PlanDevice to) => 0;

        /// <summary>The quickest node of the graph measured on device <paramref name="d"/> (0 when none), computed once per plan.</summary>
        private double FloorMilliseconds(int d) => _floors[d] ??= request.Graph.Nodes
            .Select(n => request.Estimates.TryGetMilliseconds(n.Id, request.Devices[d], out double ms) ? ms : double.PositiveInfinity)
            .DefaultIfEmpty(double.PositiveInfinity)
            .Min() is var floor && double.IsPositiveInfinity(floor) ? 0 : floor;
    }

    private sealed class NoEstimates : INodeTimeEstimates
    {
        public static NoEstimates Instance { get; } = new();

        public bool TryGetMilliseconds(int nodeId, IAgentDevice device, out double milliseconds)
        {
            milliseconds = double.NaN;
            return false;
        }

        public double BestMilliseconds(int nodeId) => double.NaN;

        public double BacklogMilliseconds(IAgentDevice device) => 0;
    }
}
