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
}
