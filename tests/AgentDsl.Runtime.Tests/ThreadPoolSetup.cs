using System.Runtime.CompilerServices;

namespace AgentDsl.Runtime.Tests;

/// <summary>
/// The CI machine has two cores, so the thread pool starts with two or three workers and adds one about every
/// 0.5 s when they are all busy. Test classes run in parallel here and several tests assert latencies of tens of
/// milliseconds; on this machine a burst in one class occasionally stalled the pool long enough to fail another's
/// timing assertion (seen in BatchingTests after the 32-request burst). A higher minimum keeps the timings about
/// the code under test, not about thread injection.
/// </summary>
internal static class ThreadPoolSetup
{
    [ModuleInitializer]
    internal static void RaiseMinimum()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
    }
}
