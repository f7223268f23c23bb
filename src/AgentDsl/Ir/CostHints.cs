namespace AgentDsl.Ir;

/// <summary>Cost hints of an operator, read by the planner and cost model. Zero means unknown.</summary>
public sealed record CostHints
{
    /// <summary>No hints: every device allowed, nothing known.</summary>
    public static CostHints None { get; } = new();

    /// <summary>Floating-point operations per invocation.</summary>
    public double Flops { get; init; }

    /// <summary>Bytes moved through memory per invocation.</summary>
    public double BytesMoved { get; init; }

    /// <summary>Bytes resident on the device while it runs.</summary>
    public double MemoryFootprintBytes { get; init; }

    /// <summary>Device classes it may run on.</summary>
    public DeviceKinds AllowedDevices { get; init; } = DeviceKinds.Any;

    /// <summary>Device classes it prefers; <see cref="DeviceKinds.None"/> for no preference.</summary>
    public DeviceKinds PreferredDevices { get; init; }

    /// <summary>Whether concurrent invocations may be batched.</summary>
    public bool Batchable { get; init; }

    /// <summary>Whether a failed invocation may be retried.</summary>
    public bool SafeToRetry { get; init; }

    /// <summary>The model it runs, for <see cref="OperatorKind.Model"/> and <see cref="OperatorKind.Llm"/> operators.</summary>
    public ModelDescription? Model { get; init; }
}
