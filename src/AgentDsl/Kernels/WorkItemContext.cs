namespace AgentDsl.Kernels;

/// <summary>
/// The managed reference implementation's view of the current work-item (thread-static): sizes and
/// ids per dimension, the group's barrier and local memory.
/// </summary>
public sealed class WorkItemContext
{
    [ThreadStatic]
    private static WorkItemContext? t_current;

    private readonly NDRange _global;
    private readonly NDRange _local;
    private readonly GroupState? _group;
    private int _localCalls;
    private int _localX, _localY, _localZ;
    private int _groupX, _groupY, _groupZ;

    internal WorkItemContext(NDRange global, NDRange local, GroupState? group)
    {
        _global = global;
        _local = local;
        _group = group;
    }

    /// <summary>The current work-item's context; throws outside a kernel launched on the managed device.</summary>
    public static WorkItemContext Current => t_current ?? throw new InvalidOperationException(
        "Group.* is only available inside a kernel running on a kernel device (the managed reference implementation or OpenCL).");

    internal static WorkItemContext? Exchange(WorkItemContext? context)
    {
        var previous = t_current;
        t_current = context;
        return previous;
    }

    internal void SetIds(int localX, int localY, int localZ, int groupX, int groupY, int groupZ)
    {
        (_localX, _localY, _localZ) = (localX, localY, localZ);
        (_groupX, _groupY, _groupZ) = (groupX, groupY, groupZ);
        _localCalls = 0;
    }

    internal int LocalId(int d) => d switch { 0 => _localX, 1 => _localY, 2 => _localZ, _ => 0 };

    internal int LocalSize(int d) => _local[d];

    internal int GroupId(int d) => d switch { 0 => _groupX, 1 => _groupY, 2 => _groupZ, _ => 0 };

    internal int GroupCount(int d) => _global[d] / _local[d];

    internal int GlobalSize(int d) => _global[d];

    internal void Barrier()
    {
        if (_group is null)
        {
            if (_local.Total == 1)
            {
                return;
            }

            throw new InvalidOperationException("Group.Barrier() needs a kernel launched with work-groups; the kernel does not declare it uses them.");
        }

        _group.Barrier.SignalAndWait();
    }

    internal Span<T> Local<T>(int length)
        where T : unmanaged
    {
        if (_group is null)
        {
            return new T[length];
        }

        return _group.Local<T>(_localCalls++, length);
    }

    /// <summary>What the work-items of one group share.</summary>
    internal sealed class GroupState(int size) : IDisposable
    {
        private readonly List<Array> _locals = [];

        public System.Threading.Barrier Barrier { get; } = new(size);

        public Span<T> Local<T>(int index, int length)
            where T : unmanaged
        {
            lock (_locals)
            {
                while (_locals.Count <= index)
                {
                    _locals.Add(new T[length]);
                }

                return (T[])_locals[index];
            }
        }

        public void Dispose() => Barrier.Dispose();
    }
}
