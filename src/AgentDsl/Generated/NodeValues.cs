using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace AgentDsl.Generated;

/// <summary>
/// The values of one request: the graph inputs and each node's result. Generated invokers read
/// arguments from here and write results back; each node writes only its own slot, once.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NodeValues
{
    private readonly object?[] _inputs;
    private readonly object?[] _results;

    /// <summary>Creates the value store of a request.</summary>
    /// <param name="inputs">The graph inputs, in order. The array is used as is.</param>
    /// <param name="nodeCount">The number of nodes in the graph.</param>
    public NodeValues(object?[] inputs, int nodeCount)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        _inputs = inputs;
        _results = nodeCount == 0 ? [] : new object?[nodeCount];
    }

    /// <summary>The services of the host running the request (for nested graphs); <see langword="null"/> outside a host.</summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>Reads graph input <paramref name="index"/> as <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Input<T>(int index) => (T)_inputs[index]!;

    /// <summary>Reads the result of node <paramref name="nodeId"/> as <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Result<T>(int nodeId)
    {
        object? value = _results[nodeId];
        return value is IPendingResult pending ? (T)pending.Value! : (T)value!;
    }

    /// <summary>Reads the result of node <paramref name="nodeId"/> untyped.</summary>
    public object? Result(int nodeId)
    {
        object? value = _results[nodeId];
        return value is IPendingResult pending ? pending.Value : value;
    }

    /// <summary>Reads graph input <paramref name="index"/> untyped.</summary>
    public object? Input(int index) => _inputs[index];

    /// <summary>Stores the result of node <paramref name="nodeId"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetResult<T>(int nodeId, T value) => _results[nodeId] = value;

    /// <summary>
    /// Stores the result of node <paramref name="nodeId"/> when <paramref name="task"/> completes. The returned task
    /// completes with it; the result is read from the task itself (no extra async frame per node), so read it only after.
    /// </summary>
    public ValueTask SetResultAsync<T>(int nodeId, Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsCompletedSuccessfully)
        {
            _results[nodeId] = task.Result;
            return default;
        }

        _results[nodeId] = new PendingResult<T>(task);
        return new ValueTask(task);
    }

    /// <summary>Stores the result of node <paramref name="nodeId"/> when <paramref name="task"/> completes.</summary>
    public ValueTask SetResultAsync<T>(int nodeId, ValueTask<T> task)
    {
        if (task.IsCompletedSuccessfully)
        {
            _results[nodeId] = task.Result;
            return default;
        }

        return AwaitAndStore(nodeId, task);
    }

    private async ValueTask AwaitAndStore<T>(int nodeId, ValueTask<T> task) =>
        _results[nodeId] = await task.ConfigureAwait(false);

    /// <summary>A result whose task had not completed when it was stored; read once the node has finished.</summary>
    private interface IPendingResult
    {
        object? Value { get; }
    }

    private sealed class PendingResult<T>(Task<T> task) : IPendingResult
    {
        public object? Value => task.Result;
    }
}
