using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>
/// The default placement: for each node, the first device that can run it and whose kind the node
/// prefers; failing that, the first device that can run it at all.
/// </summary>
public sealed class DefaultPlacementPolicy : IPlacementPolicy
{
    /// <inheritdoc/>
    public IReadOnlyList<IAgentDevice> Place(GraphDefinition graph, IReadOnlyList<IAgentDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        var placement = new IAgentDevice[graph.Nodes.Length];
        foreach (var node in graph.Nodes)
        {
            IAgentDevice? chosen = null;
            foreach (var device in devices)
            {
                if (!device.CanHost(node, devices))
                {
                    continue;
                }

                if ((node.Cost.PreferredDevices & device.Descriptor.Kind) != 0)
                {
                    chosen = device;
                    break;
                }

                chosen ??= device;
            }

            placement[node.Id] = chosen ?? throw new PlacementException(
                $"Graph '{graph.Name}': {node.Describe()} allows devices '{node.Cost.AllowedDevices}', but none of the available devices can run it "
                + $"({(devices.Count == 0 ? "no devices are registered" : string.Join(", ", devices.Select(d => d.Descriptor.ToString())))}).");
        }

        return placement;
    }
}
