using System.Diagnostics;
using System.Runtime.InteropServices;
using AgentDsl.Devices;

namespace AgentDsl.Orchestration;

/// <summary>
/// The queue in front of one device: at most <see cref="Capacity"/> nodes run at once; the others wait and are served
/// earliest deadline first (ties in arrival order). One queue per device is shared by every graph of the host.
/// A device with unbounded concurrency never queues; it only counts. The unbounded CPU device also has compute slots:
/// synchronous operators (CPU work that holds a thread throughout) run at most that many at once, queued the same way,
/// while asynchronous ones (which mostly await) stay unbounded.
/// </summary>
internal sealed class DeviceQueue
{
    private readonly Slots? _slots; // bounded queues
    private readonly Slots? _compute; // the unbounded CPU device's synchronous work

    // Counters every node updates, striped per processor: one shared cache line would bounce between cores on every
    // node of every request (a stripe can go negative when a node enters on one core and exits on another; sums are exact).
    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private static readonly int StripeCount = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    /// <param name="device">The device.</param>
    /// <param name="index">Its index among the runtime's queues.</param>
    /// <param name="capacity">Nodes it runs at once; 0 or less (or <see cref="int.MaxValue"/>): unbounded.</param>
    /// <param name="hourlyCostUsd">What an hour of it costs.</param>
    /// <param name="computeSlots">For an unbounded device, how many synchronous nodes run at once (0: no bound).</param>
    public DeviceQueue(IAgentDevice device, int index, int capacity, double hourlyCostUsd, int computeSlots = 0)
    {
        Device = device;
        Index = index;
        Capacity = capacity <= 0 ? int.MaxValue : capacity;
        HourlyCostUsd = hourlyCostUsd;
        UtilizationCapacity = Capacity == int.MaxValue ? Environment.ProcessorCount : Capacity;
        Tag = new("agentdsl.device", device.Descriptor.Name);
        _slots = Capacity == int.MaxValue ? null : new Slots(this, Capacity);
        _compute = Capacity == int.MaxValue && computeSlots > 0 ? new Slots(this, computeSlots) : null;
    }

    public IAgentDevice Device { get; }

    public int Index { get; }

    public string Name => Device.Descriptor.Name;

    /// <summary>Nodes that may run at once; <see cref="int.MaxValue"/> when unbounded.</summary>
    public int Capacity { get; }

    /// <summary>The denominator of utilisation: the capacity, or the processor count when unbounded.</summary>
    public int UtilizationCapacity { get; }

    /// <summary>Whether synchronous nodes here take a compute slot (<see cref="TryEnterCompute"/>).</summary>
    public bool HasComputeSlots => _compute is not null;

    public double HourlyCostUsd { get; }

    public KeyValuePair<string, object?> Tag { get; }

    /// <summary>Nodes running now (on an unbounded device, those entered less those still waiting for a compute slot).</summary>
    public int Running => _slots is null ? (int)Math.Max(0, Sum(static (ref Stripe s) => Volatile.Read(ref s.Running)) - (_compute?.Waiting ?? 0)) : _slots.Taken;

    public int QueueLength => (_slots?.Waiting ?? 0) + (_compute?.Waiting ?? 0);

    public long BusyTicks => Sum(static (ref Stripe s) => Volatile.Read(ref s.Busy));

    public long Completed => Sum(static (ref Stripe s) => Volatile.Read(ref s.Completed));

    /// <summary>Estimated work queued and running, in milliseconds, divided by the capacity used for utilisation.</summary>
    public double BacklogMilliseconds => Math.Max(0, Sum(static (ref Stripe s) => Volatile.Read(ref s.Backlog))) * 1000.0 / Stopwatch.Frequency / UtilizationCapacity;

    /// <summary>Counts work of an admitted request in the backlog before its node reaches the queue (negative to release it).</summary>
    public void Reserve(long ticks) => Interlocked.Add(ref Mine.Backlog, ticks);

    /// <summary>This processor's stripe.</summary>
    private ref Stripe Mine => ref _stripes[Thread.GetCurrentProcessorId() & (StripeCount - 1)];

    private delegate long StripeField(ref Stripe stripe);

    private long Sum(StripeField field)
    {
        long sum = 0;
        for (int i = 0; i < _stripes.Length; i++)
        {
            sum += field(ref _stripes[i]);
        }

        return sum;
    }

    /// <summary>Waits for a slot; completes synchronously when one is free and nobody waits.</summary>
    /// <param name="deadline">The request's deadline (Stopwatch ticks); earlier deadlines are served first.</param>
    /// <param name="estimateTicks">The node's expected run time, counted in the backlog until <see cref="Exit"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask EnterAsync(long deadline, long estimateTicks, CancellationToken cancellationToken)
    {
        ref var mine = ref Mine;
        if (estimateTicks != 0)
        {
            Interlocked.Add(ref mine.Backlog, estimateTicks);
        }

        if (_slots is null)
        {
            Interlocked.Increment(ref mine.Running);
            return default;
        }

        return _slots.EnterAsync(deadline, estimateTicks, cancellationToken);
    }

    /// <summary>Frees the slot taken by <see cref="EnterAsync"/>; hands it to the waiter with the earliest deadline.</summary>
    /// <param name="busyTicks">How long the node held the slot (0 when it did not run).</param>
    /// <param name="estimateTicks">The estimate given to <see cref="EnterAsync"/>.</param>
    public void Exit(long busyTicks, long estimateTicks)
    {
        ref var mine = ref Mine;
        if (estimateTicks != 0)
        {
            Interlocked.Add(ref mine.Backlog, -estimateTicks);
        }

        if (busyTicks > 0)
        {
            Interlocked.Add(ref mine.Busy, busyTicks);
            Interlocked.Increment(ref mine.Completed);
        }

        if (_slots is null)
        {
            Interlocked.Decrement(ref mine.Running);
            return;
        }

        _slots.Exit();
    }

    /// <summary>Takes a compute slot when one is free and no node waits for one (lock-free); the node then runs where it is.</summary>
    public bool TryEnterCompute() => _compute!.TryTake();

    /// <summary>Waits for a compute slot, earliest deadline first; completes synchronously when one is free and nobody waits.</summary>
    public ValueTask EnterComputeAsync(long deadline, CancellationToken cancellationToken) => _compute!.EnterAsync(deadline, 0, cancellationToken);

    /// <summary>Frees a compute slot (to the waiting node with the earliest deadline).</summary>
    public void ExitCompute() => _compute!.Exit();

    /// <summary>
    /// Slots of a bounded resource and the nodes waiting for one, served earliest deadline first (ties in arrival
    /// order). Taking and freeing a slot is lock-free while nobody waits.
    /// </summary>
    private sealed class Slots(DeviceQueue owner, int capacity)
    {
        private readonly PriorityQueue<Waiter, (long Deadline, long Sequence)> _heap = new(); // also the lock
        private long _sequence;
        private int _taken;
        private int _waiting; // live waiters; counted in (under the lock) before a new one looks for a free slot

        public int Taken => Volatile.Read(ref _taken);

        public int Waiting => Volatile.Read(ref _waiting);

        /// <summary>Takes a free slot unless nodes wait (they are served first).</summary>
        public bool TryTake() => Volatile.Read(ref _waiting) == 0 && TakeFree();

        public ValueTask EnterAsync(long deadline, long estimateTicks, CancellationToken cancellationToken)
        {
            if (TryTake())
            {
                return default;
            }

            Waiter waiter;
            lock (_heap)
            {
                // Counted in first: a slot freed from now on sees a waiter and is handed over (Exit). Alone, it may take a
                // slot freed meanwhile itself.
                if (Interlocked.Increment(ref _waiting) == 1 && TakeFree())
                {
                    Interlocked.Decrement(ref _waiting);
                    return default;
                }

                waiter = new Waiter(owner, this);
                _heap.Enqueue(waiter, (deadline, _sequence++));
            }

            waiter.Register(cancellationToken, estimateTicks);
            return new ValueTask(waiter.Task);
        }

        public void Exit()
        {
            Interlocked.Decrement(ref _taken);
            if (Volatile.Read(ref _waiting) != 0)
            {
                Dispatch();
            }
        }

        /// <summary>A waiter gave up (still in the heap: it is skipped when it reaches the top).</summary>
        public void Uncount()
        {
            lock (_heap)
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        private bool TakeFree()
        {
            int taken = Volatile.Read(ref _taken);
            while (taken < capacity)
            {
                int seen = Interlocked.CompareExchange(ref _taken, taken + 1, taken);
                if (seen == taken)
                {
                    return true;
                }

                taken = seen;
            }

            return false;
        }

        /// <summary>Hands free slots to the earliest waiters; their continuations run on the thread pool.</summary>
        private void Dispatch()
        {
            while (true)
            {
                Waiter? next = null;
                lock (_heap)
                {
                    if (Volatile.Read(ref _waiting) == 0 || !TakeFree())
                    {
                        return;
                    }

                    while (_heap.TryDequeue(out var candidate, out _))
                    {
                        if (candidate.TryClaim())
                        {
                            next = candidate;
                            break;
                        }
                    }

                    if (next is null)
                    {
                        Interlocked.Decrement(ref _taken); // the waiters counted gave up meanwhile
                        return;
                    }

                    Interlocked.Decrement(ref _waiting);
                }

                next.Grant();
            }
        }
    }

    /// <summary>A node waiting for a slot.</summary>
    private sealed class Waiter(DeviceQueue owner, Slots slots) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private int _state; // 0 waiting, 1 claimed (granted or being granted), 2 cancelled
        private CancellationTokenRegistration _registration;
        private long _estimateTicks;

        public void Register(CancellationToken cancellationToken, long estimateTicks)
        {
            _estimateTicks = estimateTicks;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.Register(static state => ((Waiter)state!).Cancel(), this);
            }
        }

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Grant()
        {
            _registration.Dispose();
            TrySetResult();
        }

        private void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) != 0)
            {
                return;
            }

            slots.Uncount();
            if (_estimateTicks != 0)
            {
                owner.Reserve(-_estimateTicks);
            }

            TrySetCanceled();
        }
    }

    /// <summary>One processor's share of the counters, alone on its cache line.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Stripe
    {
        [FieldOffset(64)] public long Running;
        [FieldOffset(72)] public long Backlog;
        [FieldOffset(80)] public long Busy;
        [FieldOffset(88)] public long Completed;
    }
}
