using System.Diagnostics;
using System.Runtime.InteropServices;
using AgentDsl.Devices;

namespace AgentDsl.Orchestration;

/// <summary>
/// The queue in front of one device: at most <see cref="Capacity"/> nodes run at once; the others wait and are served
/// earliest deadline first (ties in arrival order). One queue per device is shared by every graph of the host.
/// A device with unbounded concurrency never queues; it only counts.
/// </summary>
internal sealed class DeviceQueue
{
    private readonly object _gate = new();
    private readonly PriorityQueue<Waiter, (long Deadline, long Sequence)> _waiting = new();
    private long _sequence;
    private int _running; // bounded queues: slots taken (under _gate)
    private int _waitingCount;

    // Counters every node updates, striped per processor: one shared cache line would bounce between cores on every
    // node of every request (a stripe can go negative when a node enters on one core and exits on another; sums are exact).
    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private static readonly int StripeCount = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    public DeviceQueue(IAgentDevice device, int index, int capacity, double hourlyCostUsd)
    {
        Device = device;
        Index = index;
        Capacity = capacity <= 0 ? int.MaxValue : capacity;
        HourlyCostUsd = hourlyCostUsd;
        UtilizationCapacity = Capacity == int.MaxValue ? Environment.ProcessorCount : Capacity;
        Tag = new("agentdsl.device", device.Descriptor.Name);
    }

    public IAgentDevice Device { get; }

    public int Index { get; }

    public string Name => Device.Descriptor.Name;

    /// <summary>Nodes that may run at once; <see cref="int.MaxValue"/> when unbounded.</summary>
    public int Capacity { get; }

    /// <summary>The denominator of utilisation: the capacity, or the processor count when unbounded.</summary>
    public int UtilizationCapacity { get; }

    public double HourlyCostUsd { get; }

    public KeyValuePair<string, object?> Tag { get; }

    public int Running => Capacity == int.MaxValue ? (int)Math.Max(0, Sum(static (ref Stripe s) => Volatile.Read(ref s.Running))) : Volatile.Read(ref _running);

    public int QueueLength => Volatile.Read(ref _waitingCount);

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

    /// <summary>Waits for a slot; completes synchronously (with 0) when one is free and nobody waits, else with the time the slot was handed over (Stopwatch ticks: the slot is held from then, before the waiter resumes).</summary>
    /// <param name="deadline">The request's deadline (Stopwatch ticks); earlier deadlines are served first.</param>
    /// <param name="estimateTicks">The node's expected run time, counted in the backlog until <see cref="Exit"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask<long> EnterAsync(long deadline, long estimateTicks, CancellationToken cancellationToken)
    {
        ref var mine = ref Mine;
        if (estimateTicks != 0)
        {
            Interlocked.Add(ref mine.Backlog, estimateTicks);
        }

        if (Capacity == int.MaxValue)
        {
            Interlocked.Increment(ref mine.Running);
            return default;
        }

        Waiter waiter;
        lock (_gate)
        {
            if (_running < Capacity && _waitingCount == 0)
            {
                _running++;
                return default;
            }

            waiter = new Waiter(this);
            _waiting.Enqueue(waiter, (deadline, _sequence++));
            _waitingCount++;
        }

        waiter.Register(cancellationToken, estimateTicks);
        return new ValueTask<long>(waiter.Task);
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

        if (Capacity == int.MaxValue)
        {
            Interlocked.Decrement(ref mine.Running);
            return;
        }

        Waiter? next = null;
        lock (_gate)
        {
            // Cancelled waiters stay in the heap (already uncounted) and are dropped here.
            while (_waiting.TryDequeue(out var candidate, out _))
            {
                if (candidate.TryClaim())
                {
                    _waitingCount--;
                    next = candidate;
                    break;
                }
            }

            if (next is null)
            {
                _running--;
            }
        }

        // The slot passes straight to the next waiter; its continuation runs on the thread pool.
        next?.Grant();
    }

    /// <summary>A node waiting for a slot.</summary>
    private sealed class Waiter(DeviceQueue owner) : TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)
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
            TrySetResult(Stopwatch.GetTimestamp());
        }

        private void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) != 0)
            {
                return;
            }

            // Still in the heap: it is skipped (and uncounted) when it reaches the top.
            lock (owner._gate)
            {
                owner._waitingCount--;
            }

            owner.Reserve(-_estimateTicks);
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
