using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>
/// The program ADSL0007 warns about: Clear empties the list that Count also receives, and nothing orders the two. A
/// direct call runs Clear first (Count sees an empty list); the graph runs them at the same time. With
/// <see cref="CountFirst"/> set, Clear waits until Count has counted, so the graph's order is fixed for the test.
/// </summary>
[AgentGraph]
public partial class SharedListGraph
{
    /// <summary>When set, Clear waits for it and Count completes it: Count reads the list before Clear empties it.</summary>
    public TaskCompletionSource? CountFirst { get; set; }

    [Flow]
    public async Task<string> Run(string text, CancellationToken ct)
    {
        var items = Words(text);
        var removed = await Clear(items, ct);
#pragma warning disable ADSL0007 // The difference this graph demonstrates (SharedMutableValueTests).
        var counted = Count(items);
#pragma warning restore ADSL0007
        return Show(removed, counted);
    }

    [Operator] public List<string> Words(string text) => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    [Operator(OperatorKind.Tool)]
    public async Task<int> Clear(List<string> items, CancellationToken ct)
    {
        if (CountFirst is { } countFirst)
        {
            await countFirst.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }

        int removed = items.Count;
        items.Clear();
        return removed;
    }

    [Operator]
    public int Count(IReadOnlyList<string> items)
    {
        int counted = items.Count;
        CountFirst?.TrySetResult();
        return counted;
    }

    [Operator] public string Show(int removed, int counted) => $"removed {removed}, counted {counted}";
}
