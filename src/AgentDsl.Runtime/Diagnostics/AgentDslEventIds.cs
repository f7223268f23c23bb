namespace AgentDsl.Diagnostics;

/// <summary>Stable event ids of the runtime's log messages.</summary>
public static class AgentDslEventIds
{
    /// <summary>A graph was placed on devices.</summary>
    public const int GraphPlaced = 1000;

    /// <summary>A request started.</summary>
    public const int RunStarted = 1001;

    /// <summary>A request completed.</summary>
    public const int RunCompleted = 1002;

    /// <summary>A request failed.</summary>
    public const int RunFailed = 1003;

    /// <summary>A request was cancelled.</summary>
    public const int RunCancelled = 1004;

    /// <summary>A node completed.</summary>
    public const int NodeCompleted = 1010;

    /// <summary>A node failed.</summary>
    public const int NodeFailed = 1011;

    /// <summary>A request missed its SLA.</summary>
    public const int SlaMissed = 1020;

    /// <summary>The devices available to the runtime.</summary>
    public const int DevicesDiscovered = 1030;

    /// <summary>Kernels were compiled for the devices at start-up.</summary>
    public const int KernelsPrepared = 1031;

    /// <summary>A kernel device failed and was taken out of service.</summary>
    public const int KernelDeviceFailed = 1032;

    /// <summary>No OpenCL platform: kernels run on the managed CPU device.</summary>
    public const int NoOpenClPlatform = 1033;
}
