using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace AgentDsl.Benchmarks;

/// <summary>Tallies the runtime's allocation samples (one per ~100 KB allocated) by type, for the quick loop's <c>alloc</c> option.</summary>
internal sealed class AllocationListener : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    public ConcurrentDictionary<string, long> Bytes { get; } = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is "GCAllocationTick_V4" or "GCAllocationTick_V3" && eventData.Payload is { } payload)
        {
            int typeName = eventData.PayloadNames!.IndexOf("TypeName");
            int amount = eventData.PayloadNames.IndexOf("AllocationAmount64");
            if (typeName >= 0)
            {
                Bytes.AddOrUpdate((string)payload[typeName]!, Convert.ToInt64(payload[amount], System.Globalization.CultureInfo.InvariantCulture), (_, b) => b + Convert.ToInt64(payload[amount], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
