using System.ComponentModel;
namespace AgentDsl.Generated;

/// <summary>
/// Runs a fan-out node: the operator once per element of a collection, concurrently, and stores the array of results
/// in the collection's order (the fan-in). Called by generated node invokers with a lambda that calls the operator
/// directly; not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class FanOut
{
    /// <summary>Calls <paramref name="body"/> on every element, all started before any is awaited; stores the results in order.</summary>
    /// <typeparam name="TIn">The element type.</typeparam>
    /// <typeparam name="TOut">The operator's result type.</typeparam>
    /// <param name="values">The request's values.</param>
    /// <param name="nodeId">The fan-out node, whose result is the array.</param>
    /// <param name="items">The collection (an array, list or any sequence; read once).</param>
    /// <param name="body">The operator call for one element.</param>
    /// <returns>A task that completes when every call has; it fails with the first call's exception.</returns>
    /// <param name="asList">Store a <see cref="List{T}"/> instead of an array (a foreach that adds to a list).</param>
    public static ValueTask MapAsync<TIn, TOut>(NodeValues values, int nodeId, IEnumerable<TIn> items, Func<TIn, Task<TOut>> body, bool asList = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        var array = items as TIn[] ?? [.. items];
        if (array.Length == 0)
        {
            values.SetResult<object>(nodeId, asList ? new List<TOut>() : Array.Empty<TOut>());
            return default;
        }

        var tasks = new Task<TOut>[array.Length];
        for (int i = 0; i < array.Length; i++)
        {
            tasks[i] = body(array[i]);
        }

        return asList ? StoreListAsync(values, nodeId, Task.WhenAll(tasks)) : values.SetResultAsync(nodeId, Task.WhenAll(tasks));
    }

    private static async ValueTask StoreListAsync<TOut>(NodeValues values, int nodeId, Task<TOut[]> all) =>
        values.SetResult(nodeId, new List<TOut>(await all.ConfigureAwait(false)));

    /// <summary>
    /// Calls the synchronous <paramref name="body"/> on every element, spread over the thread pool (at most one call per
    /// core at a time), and stores the results in order.
    /// </summary>
    /// <typeparam name="TIn">The element type.</typeparam>
    /// <typeparam name="TOut">The operator's result type.</typeparam>
    /// <param name="values">The request's values.</param>
    /// <param name="nodeId">The fan-out node, whose result is the array.</param>
    /// <param name="items">The collection (read once).</param>
    /// <param name="body">The operator call for one element.</param>
    /// <param name="cancellationToken">Stops starting new calls.</param>
    /// <param name="asList">Store a <see cref="List{T}"/> instead of an array (a foreach that adds to a list).</param>
    /// <returns>A task that completes when every call has.</returns>
    public static ValueTask Map<TIn, TOut>(NodeValues values, int nodeId, IEnumerable<TIn> items, Func<TIn, TOut> body, CancellationToken cancellationToken, bool asList = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        var array = items as TIn[] ?? [.. items];
        var results = new TOut[array.Length];
        if (array.Length <= 1)
        {
            if (array.Length == 1)
            {
                results[0] = body(array[0]);
            }

            values.SetResult<object>(nodeId, asList ? new List<TOut>(results) : results);
            return default;
        }

        return new ValueTask(Task.Run(
            () =>
            {
                try
                {
                    Parallel.For(0, array.Length, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, i => results[i] = body(array[i]));
                }
                catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
                {
                    // Fail with the operator's own exception, as a single call would.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
                }

                values.SetResult<object>(nodeId, asList ? new List<TOut>(results) : results);
            },
            cancellationToken));
    }

    /// <summary>Calls the async <paramref name="body"/> on every element, all started before any is awaited (a foreach for side effects).</summary>
    /// <typeparam name="TIn">The element type.</typeparam>
    /// <param name="items">The collection (read once).</param>
    /// <param name="body">The operator call for one element.</param>
    /// <returns>A task that completes when every call has; it fails with the first call's exception.</returns>
    public static ValueTask ForEachAsync<TIn>(IEnumerable<TIn> items, Func<TIn, Task> body)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        var array = items as TIn[] ?? [.. items];
        if (array.Length == 0)
        {
            return default;
        }

        var tasks = new Task[array.Length];
        for (int i = 0; i < array.Length; i++)
        {
            tasks[i] = body(array[i]);
        }

        return new ValueTask(Task.WhenAll(tasks));
    }

    /// <summary>Calls the synchronous <paramref name="body"/> on every element, spread over the thread pool (a foreach for side effects).</summary>
    /// <typeparam name="TIn">The element type.</typeparam>
    /// <param name="items">The collection (read once).</param>
    /// <param name="body">The operator call for one element.</param>
    /// <param name="cancellationToken">Stops starting new calls.</param>
    /// <returns>A task that completes when every call has.</returns>
    public static ValueTask ForEach<TIn>(IEnumerable<TIn> items, Action<TIn> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        var array = items as TIn[] ?? [.. items];
        if (array.Length <= 1)
        {
            if (array.Length == 1)
            {
                body(array[0]);
            }

            return default;
        }

        return new ValueTask(Task.Run(
            () =>
            {
                try
                {
                    Parallel.For(0, array.Length, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, i => body(array[i]));
                }
                catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
                }
            },
            cancellationToken));
    }
}
