using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Orchestration;

namespace AgentDsl.Execution;

/// <summary>What an attempt holds once its device slot is taken.</summary>
internal struct NodeAttempt
{
    public int Device;
    public DeviceQueue Queue;
    public long Estimate;
    public long Started;

    /// <summary>When the work's synchronous part returned pending work (0: it completed synchronously); what came before ran on a core.</summary>
    public long SyncEnded;

    /// <summary>Whether the attempt holds a compute slot of its device (<see cref="DeviceQueue.TryEnterCompute"/>).</summary>
    public bool Compute;
    public int Attempt;
    public NodeWork? Work;
}

/// <summary>Called back by a <see cref="NodeWaiter"/> when a node's pending work has completed.</summary>
internal interface INodeWorkCompletion
{
    /// <summary>The work of node <paramref name="nodeId"/> completed; read its outcome with <c>GetAwaiter().GetResult()</c>, once.</summary>
    void OnWorkCompleted(int nodeId, ValueTask work, in NodeAttempt attempt, Activity? activity);
}

/// <summary>
/// Waits for a node's pending work without an async frame: one delegate, made once per waiter, is registered as the
/// work's continuation and calls the request back. Waiters are pooled per thread, so in steady state waiting for a
/// node allocates nothing (an async method would allocate its state machine for every node of every request).
/// </summary>
internal sealed class NodeWaiter
{
    private const int MaxPooledPerThread = 256;

    [ThreadStatic]
    private static NodeWaiter? t_free;

    [ThreadStatic]
    private static int t_freeCount;

    private readonly Action _onCompleted;
    private NodeWaiter? _next;
    private INodeWorkCompletion? _owner;
    private int _nodeId;
    private ValueTask _work;
    private NodeAttempt _attempt;
    private Activity? _activity;

    private NodeWaiter() => _onCompleted = OnCompleted;

    /// <summary>Calls <paramref name="owner"/> back when <paramref name="work"/> completes (on the completing thread).</summary>
    public static void Wait(INodeWorkCompletion owner, int nodeId, ValueTask work, in NodeAttempt attempt, Activity? activity)
    {
        var waiter = t_free;
        if (waiter is not null)
        {
            t_free = waiter._next;
            t_freeCount--;
            waiter._next = null;
        }
        else
        {
            waiter = new NodeWaiter();
        }

        waiter._owner = owner;
        waiter._nodeId = nodeId;
        waiter._work = work;
        waiter._attempt = attempt;
        waiter._activity = activity;

        // Registered last: from here the continuation may already be running on another thread.
        work.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(waiter._onCompleted);
    }

    private void OnCompleted()
    {
        var owner = _owner!;
        int nodeId = _nodeId;
        var work = _work;
        var attempt = _attempt;
        var activity = _activity;
        _owner = null;
        _work = default;
        _attempt = default;
        _activity = null;
        if (t_freeCount < MaxPooledPerThread)
        {
            _next = t_free;
            t_free = this;
            t_freeCount++;
        }

        owner.OnWorkCompleted(nodeId, work, attempt, activity);
    }
}
