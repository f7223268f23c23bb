namespace AgentDsl.Execution;

/// <summary>Why a runner asks its placement policy for a (new) plan.</summary>
internal enum ReplanReason
{
    /// <summary>The first plan, when the runner is made.</summary>
    Start,

    /// <summary>A node ran markedly slower than its estimate on its planned device.</summary>
    Slowdown,

    /// <summary>A node was measured for the first time on a device other than its planned one (that device may be better).</summary>
    Calibrated,

    /// <summary>A device was taken out of service (or its state changed), for every graph or for this one.</summary>
    DeviceOut,

    /// <summary>A device that was out is due back in service.</summary>
    DeviceBack,

    /// <summary>Work was moved away from a slow device and its measurement has gone stale: look again.</summary>
    Probe,
}

/// <summary>The text of a <see cref="ReplanReason"/> in metrics (<c>agentdsl.reason</c>), logs and <see cref="Devices.PlacementRequest.Reason"/>.</summary>
internal static class ReplanReasons
{
    /// <summary>The reason's text: <c>start</c>, <c>slowdown</c>, <c>calibrated</c>, <c>device-out</c>, <c>device-back</c> or <c>probe</c> (literals: nothing allocated).</summary>
    public static string Text(this ReplanReason reason) => reason switch
    {
        ReplanReason.Start => "start",
        ReplanReason.Slowdown => "slowdown",
        ReplanReason.Calibrated => "calibrated",
        ReplanReason.DeviceOut => "device-out",
        ReplanReason.DeviceBack => "device-back",
        ReplanReason.Probe => "probe",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
