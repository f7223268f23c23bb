namespace AgentDsl.Kernels;

/// <summary>
/// Work-group features of kernels: local ids, group ids, barriers and local (work-group shared)
/// memory. In OpenCL C they map to built-ins (<c>get_local_id</c>, <c>barrier</c>, <c>__local</c>
/// arrays); in the managed reference implementation every work-item of a group runs on its own
/// thread and the calls read the current work-item's context.
/// </summary>
public static class Group
{
    /// <summary>The work-item's index inside its work-group in dimension <paramref name="dimension"/> (<c>get_local_id</c>).</summary>
    public static int LocalId(int dimension) => WorkItemContext.Current.LocalId(dimension);

    /// <summary>The work-group size in dimension <paramref name="dimension"/> (<c>get_local_size</c>).</summary>
    public static int LocalSize(int dimension) => WorkItemContext.Current.LocalSize(dimension);

    /// <summary>The work-group's index in dimension <paramref name="dimension"/> (<c>get_group_id</c>).</summary>
    public static int Id(int dimension) => WorkItemContext.Current.GroupId(dimension);

    /// <summary>The number of work-groups in dimension <paramref name="dimension"/> (<c>get_num_groups</c>).</summary>
    public static int Count(int dimension) => WorkItemContext.Current.GroupCount(dimension);

    /// <summary>The global size in dimension <paramref name="dimension"/> (<c>get_global_size</c>).</summary>
    public static int GlobalSize(int dimension) => WorkItemContext.Current.GlobalSize(dimension);

    /// <summary>Waits until every work-item of the group reaches the barrier; local and global memory writes before it are visible after it.</summary>
    public static void Barrier() => WorkItemContext.Current.Barrier();

    /// <summary>
    /// Local memory shared by the work-group: <c>__local T name[length]</c>. Call it at the top level
    /// of a kernel body with a constant length; every work-item of a group gets the same memory.
    /// </summary>
    public static Span<T> Local<T>(int length)
        where T : unmanaged => WorkItemContext.Current.Local<T>(length);
}
