using System.Runtime.CompilerServices;

namespace AgentDsl.Kernels;

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
