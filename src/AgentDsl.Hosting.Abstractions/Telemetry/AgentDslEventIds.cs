namespace AgentDsl.Telemetry;

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

    /// <summary>An engine (llama.cpp, ONNX Runtime) loaded its model at start-up.</summary>
    public const int EngineLoaded = 1034;

    /// <summary>A message from an engine's native library (llama.cpp's log).</summary>
    public const int EngineNativeLog = 1035;

    /// <summary>A request was rejected at admission.</summary>
    public const int RequestRejected = 1040;

    /// <summary>A graph was re-placed (device out or back, slow-down).</summary>
    public const int GraphReplanned = 1041;

    /// <summary>A device was taken out of service for a graph.</summary>
    public const int DeviceTakenOut = 1042;

    /// <summary>Re-planning found no device for a node.</summary>
    public const int ReplanFailed = 1043;

    /// <summary>A node attempt failed and is retried.</summary>
    public const int NodeRetried = 1044;

    /// <summary>Shutdown: draining in-flight requests.</summary>
    public const int Draining = 1050;

    /// <summary>Shutdown: requests still in flight when the host's shutdown timeout ran out were cancelled.</summary>
    public const int DrainTimedOut = 1051;

    /// <summary>The ONNX Runtime device created its session at start-up.</summary>
    public const int OnnxSessionCreated = 1060;
}
