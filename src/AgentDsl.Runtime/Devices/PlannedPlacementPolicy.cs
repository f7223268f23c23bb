using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Placement;

namespace AgentDsl.Devices;

/// <summary>
/// The runtime's default placement: the HEFT list scheduler of AgentDsl.Planning run over the devices in service,
/// with each node's time on each device taken from the runtime's measurements and each device's backlog as the time
/// it becomes free. A device with concurrency <c>c</c> is planned as <c>min(c, 8)</c> parallel slots.
/// <para>
/// Before a node has been measured on a device its time there is a prior: the best mean measured for the node on any
/// device (what it costs when its device is well; 1 ms when none), times 0.9 on a device kind the node prefers (so a preferred device is tried) and times 2 on
/// others, and never below the quickest node measured on that device (its launch or network latency). Measurements
/// then decide. Without any measurement this reproduces the kind-preference placement of
/// <see cref="DefaultPlacementPolicy"/>.
/// </para>
/// </summary>
public sealed class PlannedPlacementPolicy : IPlacementPolicy
{
    /// <summary>Parallel slots planned for a device at most.</summary>
    public const int MaxSlots = 8;

    private readonly HeftPlanner _heft = new();

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

        var costs = new MeasuredCosts(request, slots, owner);
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

    /// <summary>Node times from measurements and priors; transfers are part of the measured node times.</summary>
    private sealed class MeasuredCosts(PlacementRequest request, List<PlanDevice> slots, List<int> owner) : IPlacementCosts
    {
        private readonly Dictionary<(int Node, int Device), double> _seconds = [];
        private readonly Dictionary<PlanDevice, int> _slotIndex = slots.Select((s, i) => (s, i)).ToDictionary<(PlanDevice s, int i), PlanDevice, int>(x => x.s, x => x.i, ReferenceEqualityComparer.Instance);
        private readonly double?[] _floors = new double?[request.Devices.Count];

        public double Seconds(NodeDefinition node, PlanDevice device)
        {
            int d = owner[_slotIndex[device]];
            if (_seconds.TryGetValue((node.Id, d), out double cached))
            {
                return cached;
            }

            double seconds;
            if (request.Estimates.TryGetMilliseconds(node.Id, request.Devices[d], out double ms))
            {
                seconds = ms / 1000.0;
            }
            else
            {
                double best = request.Estimates.BestMilliseconds(node.Id);
                double prior = double.IsNaN(best) ? 1.0 : best;
                bool preferred = (node.Cost.PreferredDevices & request.Devices[d].Descriptor.Kind) != 0;

                // No node runs faster on a device than the quickest node measured on that device (its launch or network latency).
                seconds = Math.Max(prior * (preferred ? 0.9 : 2.0), FloorMilliseconds(d)) / 1000.0;
            }

            _seconds[(node.Id, d)] = seconds;
            return seconds;
        }

        public bool Fits(NodeDefinition node, PlanDevice device) => request.Devices[owner[_slotIndex[device]]].CanHost(node);

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
