namespace AgentDsl.Kernels;

/// <summary>
/// Runs kernels as managed code: the C# kernel method itself, called once per work-item. Kernels
/// without work-group features run in parallel chunks; kernels with local memory or barriers run
/// each work-group's items on their own threads, meeting at a real barrier.
/// </summary>
public sealed class ManagedKernelDevice : IKernelDevice
{
    /// <summary>The device name: <c>managed</c>.</summary>
    public const string DeviceName = "managed";

    /// <summary>The shared instance.</summary>
    public static ManagedKernelDevice Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => DeviceName;

    /// <inheritdoc/>
    public DeviceKinds Kind => DeviceKinds.Cpu;

    /// <inheritdoc/>
    public bool Supports(KernelDefinition kernel) => kernel is not null;

    /// <inheritdoc/>
    public ValueTask PrepareAsync(KernelDefinition kernel, CancellationToken cancellationToken = default) => default;

    /// <inheritdoc/>
    public ValueTask LaunchAsync(KernelLaunch launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var arg in launch.Arguments)
        {
            arg.Buffer?.SyncToHost();
        }

        if ((launch.Kernel.Requirements & KernelRequirements.WorkGroups) != 0)
        {
            RunGroups(launch, launch.Local!.Value, cancellationToken);
        }
        else
        {
            RunChunks(launch, cancellationToken);
        }

        for (int i = 0; i < launch.Arguments.Length; i++)
        {
            if (launch.Arguments[i].Buffer is { } buffer && !launch.Kernel.Parameters[i].IsReadOnly)
            {
                buffer.MarkHostWritten();
            }
        }

        return default;
    }

    private static void RunChunks(KernelLaunch launch, CancellationToken cancellationToken)
    {
        long total = launch.Global.Total;
        var global = launch.Global;
        var local = launch.Local ?? Ones(global.Dimensions);
        int chunks = (int)Math.Min(total, Environment.ProcessorCount * 4L);
        long size = (total + chunks - 1) / chunks;
        Parallel.For(0, chunks, new ParallelOptions { CancellationToken = cancellationToken }, c =>
        {
            long begin = c * size;
            long end = Math.Min(total, begin + size);
            var previous = WorkItemContext.Exchange(new WorkItemContext(global, local, group: null));
            try
            {
                launch.Kernel.Managed(launch, begin, end);
            }
            finally
            {
                WorkItemContext.Exchange(previous);
            }
        });
    }

    private static void RunGroups(KernelLaunch launch, NDRange local, CancellationToken cancellationToken)
    {
        var global = launch.Global;
        int groupsX = global.X / local.X, groupsY = global.Y / local.Y, groupsZ = global.Z / local.Z;
        int size = (int)local.Total;
        for (int gz = 0; gz < groupsZ; gz++)
        {
            for (int gy = 0; gy < groupsY; gy++)
            {
                for (int gx = 0; gx < groupsX; gx++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var group = new WorkItemContext.GroupState(size);
                    var threads = new Thread[size];
                    Exception? failure = null;
                    for (int t = 0; t < size; t++)
                    {
                        int lx = t % local.X, ly = t / local.X % local.Y, lz = t / (local.X * local.Y);
                        long flat = (gx * local.X + lx) + ((long)(gy * local.Y + ly) * global.X) + ((long)(gz * local.Z + lz) * global.X * global.Y);
                        (int GX, int GY, int GZ) ids = (gx, gy, gz);
                        threads[t] = new Thread(() =>
                        {
                            var context = new WorkItemContext(global, local, group);
                            context.SetIds(lx, ly, lz, ids.GX, ids.GY, ids.GZ);
                            WorkItemContext.Exchange(context);
                            try
                            {
                                launch.Kernel.Managed(launch, flat, flat + 1);
                            }
                            catch (Exception ex)
                            {
                                Interlocked.CompareExchange(ref failure, ex, null);
                                group.Barrier.RemoveParticipant(); // do not leave the others waiting
                            }
                            finally
                            {
                                WorkItemContext.Exchange(null);
                            }
                        }, maxStackSize: 256 * 1024) { IsBackground = true };
                    }

                    foreach (var thread in threads)
                    {
                        thread.Start();
                    }

                    foreach (var thread in threads)
                    {
                        thread.Join();
                    }

                    if (failure is not null)
                    {
                        throw new KernelExecutionException(launch.Kernel.Name, DeviceName, failure);
                    }
                }
            }
        }
    }

    private static NDRange Ones(int dimensions) => dimensions switch { 1 => new NDRange(1), 2 => new NDRange(1, 1), _ => new NDRange(1, 1, 1) };
}
