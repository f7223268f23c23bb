using System.Runtime.InteropServices;

namespace AgentDsl.Kernels;

/// <summary>
/// A buffer passed to kernels. It keeps a host array and at most one device copy, and moves data
/// only when needed: a buffer a kernel wrote on a device stays there for the next kernel on that
/// device, and is read back only when the host asks for it (<see cref="AsSpan"/>, <see cref="ToArray"/>).
/// A buffer made implicitly from an array is synchronised back into that array after each launch.
/// </summary>
/// <typeparam name="T">The element type: int, uint, long, ulong, float, double or Half.</typeparam>
public sealed class KernelBuffer<T> : IKernelBuffer, IDisposable
    where T : unmanaged
{
    private readonly T[] _host;
    private readonly object _gate = new();
    private IKernelBufferMirror? _mirror;
    private bool _mirrorValid;
    private bool _hostValid = true;

    /// <summary>A zeroed buffer of <paramref name="length"/> elements.</summary>
    public KernelBuffer(int length)
        : this(new T[length], syncAfterLaunch: false)
    {
    }

    /// <summary>A buffer over <paramref name="host"/> (not copied).</summary>
    /// <param name="host">The host storage.</param>
    /// <param name="syncAfterLaunch">Copy kernel results back into <paramref name="host"/> after every launch.</param>
    public KernelBuffer(T[] host, bool syncAfterLaunch = false)
    {
        ArgumentNullException.ThrowIfNull(host);
        ElementType = ElementTypeOf();
        _host = host;
        SyncAfterLaunch = syncAfterLaunch;
    }

    /// <inheritdoc/>
    public int Length => _host.Length;

    /// <inheritdoc/>
    public long ByteLength => (long)_host.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <inheritdoc/>
    public KernelScalarType ElementType { get; }

    /// <inheritdoc/>
    public bool SyncAfterLaunch { get; }

    /// <inheritdoc/>
    public bool IsHostValid
    {
        get
        {
            lock (_gate)
            {
                return _hostValid;
            }
        }
    }

    /// <inheritdoc/>
    public (IKernelBufferMirror? Mirror, bool Valid) DeviceCopy
    {
        get
        {
            lock (_gate)
            {
                return (_mirror, _mirrorValid);
            }
        }
    }

    /// <summary>A buffer over <paramref name="array"/> whose kernel results are copied back into the array after each launch.</summary>
    public static implicit operator KernelBuffer<T>(T[] array) => new(array, syncAfterLaunch: true);

    /// <summary>The data, for reading and writing on the host (reads back from the device first when needed; a device copy becomes stale).</summary>
    public Span<T> AsSpan()
    {
        SyncToHost();
        MarkHostWritten();
        return _host;
    }

    /// <summary>The data, for reading on the host (reads back from the device first when needed).</summary>
    public ReadOnlySpan<T> AsReadOnlySpan()
    {
        SyncToHost();
        return _host;
    }

    /// <summary>A copy of the data.</summary>
    public T[] ToArray() => AsReadOnlySpan().ToArray();

    /// <inheritdoc/>
    public Span<byte> HostBytes()
    {
        SyncToHost();
        return MemoryMarshal.AsBytes(_host.AsSpan());
    }

    /// <summary>The host storage without synchronisation, for the managed kernel device.</summary>
    internal T[] HostArrayUnsynchronized => _host;

    /// <inheritdoc/>
    public void SyncToHost()
    {
        lock (_gate)
        {
            if (_hostValid)
            {
                return;
            }

            _mirror!.Read(MemoryMarshal.AsBytes(_host.AsSpan()));
            _hostValid = true;
        }
    }

    /// <inheritdoc/>
    public IKernelBufferMirror MirrorOn(IKernelDevice device, Func<IKernelBufferMirror> create, Action<IKernelBufferMirror, ReadOnlyMemory<byte>> upload)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(upload);
        lock (_gate)
        {
            if (_mirror is not null && ReferenceEquals(_mirror.Device, device))
            {
                if (!_mirrorValid)
                {
                    upload(_mirror, HostMemory());
                    _mirrorValid = true;
                }

                return _mirror;
            }

            if (!_hostValid)
            {
                _mirror!.Read(MemoryMarshal.AsBytes(_host.AsSpan()));
                _hostValid = true;
            }

            _mirror?.Dispose();
            _mirror = null;
            var created = create();
            upload(created, HostMemory());
            _mirror = created;
            _mirrorValid = true;
            return created;
        }
    }

    private ReadOnlyMemory<byte> HostMemory() => new ByteView(_host).Memory;

    /// <inheritdoc/>
    public void MarkDeviceWritten()
    {
        lock (_gate)
        {
            _mirrorValid = true;
            _hostValid = false;
        }
    }

    /// <inheritdoc/>
    public void MarkHostWritten()
    {
        lock (_gate)
        {
            _hostValid = true;
            _mirrorValid = false;
        }
    }

    /// <summary>Releases the device copy (its memory returns to the device's pool).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_mirror is not null && !_hostValid)
            {
                _mirror.Read(MemoryMarshal.AsBytes(_host.AsSpan()));
                _hostValid = true;
            }

            _mirror?.Dispose();
            _mirror = null;
            _mirrorValid = false;
        }
    }

    /// <summary>The host array's bytes as memory (host arrays are never moved while uploads read them: uploads are blocking).</summary>
    private sealed class ByteView(T[] array) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(array.AsSpan());

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private static KernelScalarType ElementTypeOf() =>
        typeof(T) == typeof(int) ? KernelScalarType.Int32
        : typeof(T) == typeof(uint) ? KernelScalarType.UInt32
        : typeof(T) == typeof(long) ? KernelScalarType.Int64
        : typeof(T) == typeof(ulong) ? KernelScalarType.UInt64
        : typeof(T) == typeof(float) ? KernelScalarType.Single
        : typeof(T) == typeof(double) ? KernelScalarType.Double
        : typeof(T) == typeof(Half) ? KernelScalarType.Half
        : throw new NotSupportedException($"Kernel buffers hold int, uint, long, ulong, float, double or Half, not {typeof(T).Name}.");
}
