using System.Runtime.InteropServices;

namespace AgentDsl.Kernels;

/// <summary>What devices see of a buffer, whatever its element type.</summary>
public interface IKernelBuffer
{
    /// <summary>Number of elements.</summary>
    int Length { get; }

    /// <summary>Size in bytes.</summary>
    long ByteLength { get; }

    /// <summary>The element type.</summary>
    KernelScalarType ElementType { get; }

    /// <summary>Whether the host array holds the current data.</summary>
    bool IsHostValid { get; }

    /// <summary>The device copy, if any, and whether it holds the current data.</summary>
    (IKernelBufferMirror? Mirror, bool Valid) DeviceCopy { get; }

    /// <summary>Whether the launcher should copy results back to the host after each launch (buffers made from arrays).</summary>
    bool SyncAfterLaunch { get; }

    /// <summary>Host bytes, after making the host copy current.</summary>
    Span<byte> HostBytes();

    /// <summary>Makes the host copy current (reads from the device when needed).</summary>
    void SyncToHost();

    /// <summary>
    /// The buffer's copy on <paramref name="device"/>, current: reuses an up-to-date copy, uploads into a
    /// stale one, or (after reading back a copy held by another device) creates one. Atomic per buffer.
    /// </summary>
    /// <param name="device">The device that needs the data.</param>
    /// <param name="create">Allocates a copy on <paramref name="device"/>.</param>
    /// <param name="upload">Copies host bytes into a copy.</param>
    IKernelBufferMirror MirrorOn(IKernelDevice device, Func<IKernelBufferMirror> create, Action<IKernelBufferMirror, ReadOnlyMemory<byte>> upload);

    /// <summary>Records that a kernel wrote the buffer on the device (the host copy is stale).</summary>
    void MarkDeviceWritten();

    /// <summary>Records that managed code wrote the host copy (any device copy is stale).</summary>
    void MarkHostWritten();
}
