using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>What the runtime has measured: per node and device, and per device queue.</summary>
public interface INodeTimeEstimates
{
    /// <summary>
    /// The expected time of <paramref name="nodeId"/> on <paramref name="device"/>, from measurements (an exponentially
    /// weighted mean); false when the node has not run there yet. A measurement older than the runtime's estimate
    /// lifetime reads as the best the device has done for the node, so a device that slowed down is tried again.
    /// </summary>
    bool TryGetMilliseconds(int nodeId, IAgentDevice device, out double milliseconds);

    /// <summary>
    /// The best expected time measured for <paramref name="nodeId"/> on any device (the lowest mean it has reached), or
    /// NaN before any measurement: what the node costs when its device is well, a prior for devices it has not run on.
    /// </summary>
    double BestMilliseconds(int nodeId);

    /// <summary>Estimated milliseconds of work queued and running on <paramref name="device"/>, divided by its concurrency.</summary>
    double BacklogMilliseconds(IAgentDevice device);
}
