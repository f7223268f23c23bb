namespace AgentDsl;

/// <summary>Numeric precision of a model's weights and activations.</summary>
/// <remarks>This file is linked into the source generator: keep it a plain enum.</remarks>
public enum Precision
{
    /// <summary>Not stated; the cost model assumes <see cref="Fp16"/>.</summary>
    Unspecified = 0,

    /// <summary>32-bit floating point (4 bytes per element).</summary>
    Fp32 = 1,

    /// <summary>16-bit IEEE floating point (2 bytes per element).</summary>
    Fp16 = 2,

    /// <summary>bfloat16 (2 bytes per element).</summary>
    Bf16 = 3,

    /// <summary>8-bit floating point (1 byte per element).</summary>
    Fp8 = 4,

    /// <summary>8-bit integer (1 byte per element).</summary>
    Int8 = 5,

    /// <summary>4-bit integer (half a byte per element).</summary>
    Int4 = 6,
}
