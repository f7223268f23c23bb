using System.Diagnostics.Tracing;

namespace AgentDsl.Benchmarks;

/// <summary>Prints the thread pool's worker-count changes with their reason (quick loop's <c>pool</c> option).</summary>
internal sealed class PoolListener : EventListener
{
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x10000);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is { } name && name.StartsWith("ThreadPoolWorkerThreadAdjustmentAdjustment", StringComparison.Ordinal) && eventData.Payload is { } payload)
        {
            Console.Error.WriteLine($"[pool] {name}: {string.Join(", ", eventData.PayloadNames!.Zip(payload, (n, v) => $"{n}={v}"))}");
        }
    }
}
