using AgentDsl.Kernels;
using Silk.NET.OpenCL;

namespace AgentDsl.OpenCL;

public sealed partial class OpenClDevice
{
    /// <summary>The device memory of <paramref name="buffer"/>, uploading the host data only when the device copy is missing or stale.</summary>
    private nint OnDevice(IKernelBuffer buffer)
    {
        long bytes = Math.Max(buffer.ByteLength, 4);
        var mirror = (Mirror)buffer.MirrorOn(this, () => new Mirror(this, Rent(bytes), bytes), (m, data) => Upload(((Mirror)m).Memory, data.Span));
        return mirror.Memory;
    }

    private unsafe void Upload(nint memory, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        fixed (byte* p = bytes)
        {
            lock (_queueGate)
            {
                OpenClNative.Check(_cl.EnqueueWriteBuffer(_queue, memory, true, 0, (nuint)bytes.Length, p, 0, null, null), "clEnqueueWriteBuffer");
            }
        }

        Interlocked.Add(ref _hostToDevice, bytes.Length);
    }

    private unsafe void Download(nint memory, Span<byte> destination)
    {
        if (destination.Length == 0)
        {
            return;
        }

        fixed (byte* p = destination)
        {
            lock (_queueGate)
            {
                OpenClNative.Check(_cl.EnqueueReadBuffer(_queue, memory, true, 0, (nuint)destination.Length, p, 0, null, null), "clEnqueueReadBuffer");
            }
        }

        Interlocked.Add(ref _deviceToHost, destination.Length);
    }

    /// <summary>A pooled allocation of at least <paramref name="bytes"/> (sizes rounded up to a power of two from 4 KiB).</summary>
    private unsafe nint Rent(long bytes)
    {
        long size = PoolSize(bytes);
        if (_pool.TryGetValue(size, out var bag) && bag.TryTake(out var mem))
        {
            return mem;
        }

        int status;
        mem = _cl.CreateBuffer(_context, MemFlags.ReadWrite, (nuint)size, null, &status);
        if (status != 0)
        {
            throw new KernelDeviceException(Name, $"allocating {size} bytes failed with {OpenClNative.ErrorName(status)}");
        }

        return mem;
    }

    private void Return(nint memory, long bytes)
    {
        if (_disposed != 0)
        {
            return;
        }

        _pool.GetOrAdd(PoolSize(bytes), _ => []).Add(memory);
    }

    private static long PoolSize(long bytes)
    {
        long size = 4096;
        while (size < bytes)
        {
            size <<= 1;
        }

        return size;
    }

    /// <summary>A buffer's copy on this device.</summary>
    private sealed class Mirror(OpenClDevice device, nint memory, long bytes) : IKernelBufferMirror
    {
        private int _released;

        public IKernelDevice Device => device;

        public nint Memory => memory;

        public void Read(Span<byte> destination) => device.Download(memory, destination);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                device.Return(memory, bytes);
            }
        }
    }
}
