using AgentDsl.Generated;
using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>Helpers for placement policies.</summary>
public static class AgentDeviceExtensions
{
    /// <summary>
    /// Whether <paramref name="node"/> may be placed on <paramref name="device"/>: the node allows the device's kind
    /// (<c>[Operator(AllowedDevices = …)]</c>) and the device says it can run it. Every placement the runtime makes,
    /// and every placement it accepts from a policy, satisfies this.
    /// </summary>
    public static bool CanHost(this IAgentDevice device, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(node);
        return (node.Cost.AllowedDevices & device.Descriptor.Kind) != 0 && device.CanRun(node);
    }

    /// <summary>
    /// Whether placement may put <paramref name="node"/> on <paramref name="device"/> among the devices in service:
    /// <see cref="CanHost(IAgentDevice, NodeDefinition)"/>, and when an engine device (<see cref="IEngineDevice"/>) in
    /// service can host the node, only engine devices may (the operator's body is a stand-in for the engine's work).
    /// </summary>
    /// <param name="device">The candidate.</param>
    /// <param name="node">The node.</param>
    /// <param name="inService">The devices in service (the candidate among them).</param>
    public static bool CanHost(this IAgentDevice device, NodeDefinition node, IReadOnlyList<IAgentDevice> inService)
    {
        ArgumentNullException.ThrowIfNull(inService);
        if (!device.CanHost(node))
        {
            return false;
        }

        if (device is IEngineDevice)
        {
            return true;
        }

        foreach (var other in inService)
        {
            if (other is IEngineDevice && other.CanHost(node))
            {
                return false;
            }
        }

        return true;
    }
}
