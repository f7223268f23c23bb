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

/// <summary>A kernel launch: the kernel, the global and (optional) work-group sizes, and the arguments in parameter order.</summary>
public sealed class KernelLaunch
{
    /// <summary>Creates a launch and checks it against the kernel's parameters.</summary>
    /// <exception cref="ArgumentException">Sizes or arguments do not fit the kernel; the message names it.</exception>
    public KernelLaunch(KernelDefinition kernel, NDRange global, NDRange? local, KernelArgument[] arguments)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(arguments);
        if (global.Dimensions != kernel.Dimensions)
        {
            throw new ArgumentException($"Kernel '{kernel.Name}' has {kernel.Dimensions} dimensions; the global size {global} has {global.Dimensions}.", nameof(global));
        }

        if (local is { } l)
        {
            if (l.Dimensions != kernel.Dimensions)
            {
                throw new ArgumentException($"Kernel '{kernel.Name}' has {kernel.Dimensions} dimensions; the work-group size {l} has {l.Dimensions}.", nameof(local));
            }

            for (int d = 0; d < kernel.Dimensions; d++)
            {
                if (global[d] % l[d] != 0)
                {
                    throw new ArgumentException($"Kernel '{kernel.Name}': the global size {global} is not a multiple of the work-group size {l} in dimension {d} (OpenCL 1.2 requires it).", nameof(local));
                }
            }
        }
        else if ((kernel.Requirements & KernelRequirements.WorkGroups) != 0)
        {
            throw new ArgumentException($"Kernel '{kernel.Name}' uses local memory or barriers, so its launch needs a work-group size.", nameof(local));
        }

        if (arguments.Length != kernel.Parameters.Count)
        {
            throw new ArgumentException($"Kernel '{kernel.Name}' takes {kernel.Parameters.Count} arguments; {arguments.Length} were given.", nameof(arguments));
        }

        for (int i = 0; i < arguments.Length; i++)
        {
            var p = kernel.Parameters[i];
            bool isBuffer = arguments[i].Buffer is not null;
            if (isBuffer != (p.Kind == KernelParameterKind.Buffer) || arguments[i].Type != p.Type)
            {
                throw new ArgumentException($"Kernel '{kernel.Name}', parameter '{p.Name}': expected a {p.Type} {p.Kind.ToString().ToLowerInvariant()}.", nameof(arguments));
            }
        }

        Kernel = kernel;
        Global = global;
        Local = local;
        Arguments = arguments;
    }

    /// <summary>The kernel.</summary>
    public KernelDefinition Kernel { get; }

    /// <summary>The global size.</summary>
    public NDRange Global { get; }

    /// <summary>The work-group size, or null to let the device choose.</summary>
    public NDRange? Local { get; }

    /// <summary>The arguments in parameter order.</summary>
    public KernelArgument[] Arguments { get; }

    /// <summary>The host array of buffer argument <paramref name="index"/>, for the managed implementation (the device made it current).</summary>
    public T[] HostArray<T>(int index)
        where T : unmanaged => ((KernelBuffer<T>)Arguments[index].Buffer!).HostArrayUnsynchronized;

    /// <summary>Scalar argument <paramref name="index"/>.</summary>
    public T Scalar<T>(int index)
        where T : unmanaged => Arguments[index].Value<T>();

    /// <summary>Splits a flattened work-item index into per-dimension indices (x fastest).</summary>
    public void Decompose(long flat, out int x, out int y, out int z)
    {
        x = (int)(flat % Global.X);
        long rest = flat / Global.X;
        y = (int)(rest % Global.Y);
        z = (int)(rest / Global.Y);
    }
}

/// <summary>A device that runs kernels: the managed reference device, or an OpenCL device.</summary>
public interface IKernelDevice
{
    /// <summary>A unique name, for example <c>managed</c> or <c>opencl:0:0 (pthread-…)</c>.</summary>
    string Name { get; }

    /// <summary>The device class.</summary>
    DeviceKinds Kind { get; }

    /// <summary>Whether the device offers what <paramref name="kernel"/> requires (fp64, fp16, work-groups).</summary>
    bool Supports(KernelDefinition kernel);

    /// <summary>Compiles <paramref name="kernel"/> ahead of its first launch (a no-op where nothing is compiled).</summary>
    ValueTask PrepareAsync(KernelDefinition kernel, CancellationToken cancellationToken = default);

    /// <summary>Runs a launch; completes when the kernel has finished and buffers made from arrays are synchronised.</summary>
    ValueTask LaunchAsync(KernelLaunch launch, CancellationToken cancellationToken = default);
}

/// <summary>Every kernel of the loaded assemblies: generated code registers each kernel here when its assembly loads.</summary>
public static class KernelRegistry
{
    private static readonly List<KernelDefinition> s_kernels = [];

    /// <summary>The registered kernels, in registration order.</summary>
    public static IReadOnlyList<KernelDefinition> All
    {
        get
        {
            lock (s_kernels)
            {
                return [.. s_kernels];
            }
        }
    }

    /// <summary>Registers a kernel (called by generated module initializers).</summary>
    public static void Register(KernelDefinition kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        lock (s_kernels)
        {
            if (!s_kernels.Contains(kernel))
            {
                s_kernels.Add(kernel);
            }
        }
    }
}
