namespace AgentDsl;

/// <summary>Classes of device an operator may be placed on. Flags: combine them to allow several.</summary>
/// <remarks>This file is linked into the source generator: keep it a plain enum.</remarks>
[System.Flags]
public enum DeviceKinds
{
    /// <summary>No device (used for "no preference").</summary>
    None = 0,

    /// <summary>The host CPU running managed code.</summary>
    Cpu = 1,

    /// <summary>A GPU, reached through OpenCL.</summary>
    Gpu = 2,

    /// <summary>Another accelerator (OpenCL accelerator device, NPU, FPGA).</summary>
    Accelerator = 4,

    /// <summary>A remote endpoint (for example an LLM behind an HTTP API).</summary>
    Remote = 8,

    /// <summary>Any device.</summary>
    Any = Cpu | Gpu | Accelerator | Remote,
}
