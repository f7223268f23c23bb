using System.Runtime.CompilerServices;

namespace AgentDsl.Kernels;

/// <summary>One argument of a launch: a buffer, or a scalar stored as raw bits.</summary>
public readonly struct KernelArgument
{
    private readonly ulong _bits;

    private KernelArgument(IKernelBuffer? buffer, ulong bits, KernelScalarType type)
    {
        Buffer = buffer;
        _bits = bits;
        Type = type;
    }

    /// <summary>The buffer, for buffer parameters.</summary>
    public IKernelBuffer? Buffer { get; }

    /// <summary>The scalar's (or the buffer's element) type.</summary>
    public KernelScalarType Type { get; }

    /// <summary>A buffer argument.</summary>
    public static KernelArgument Of<T>(KernelBuffer<T> buffer)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return new(buffer, 0, buffer.ElementType);
    }

    /// <summary>A scalar argument.</summary>
    public static KernelArgument Scalar<T>(T value, KernelScalarType type)
        where T : unmanaged
    {
        ulong bits = 0;
        Unsafe.WriteUnaligned(ref Unsafe.As<ulong, byte>(ref bits), value);
        return new(null, bits, type);
    }

    /// <summary>The scalar value.</summary>
    public T Value<T>()
        where T : unmanaged
    {
        ulong bits = _bits;
        return Unsafe.ReadUnaligned<T>(ref Unsafe.As<ulong, byte>(ref bits));
    }

    /// <summary>The scalar's bits, little-endian (the low bytes hold narrower types).</summary>
    public ulong Bits => _bits;
}
