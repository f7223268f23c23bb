using System.Runtime.InteropServices;

namespace AgentDsl.Kernels;

/// <summary>A device-side copy of a <see cref="KernelBuffer{T}"/>, owned by one device.</summary>
public interface IKernelBufferMirror : IDisposable
{
    /// <summary>The device holding the copy.</summary>
    IKernelDevice Device { get; }

    /// <summary>Copies the device data into <paramref name="destination"/> (blocking).</summary>
    void Read(Span<byte> destination);
}
