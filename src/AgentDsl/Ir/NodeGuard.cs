namespace AgentDsl.Ir;

/// <summary>
/// A condition a node runs under: node <see cref="Node"/> (which returns <c>bool</c>) ran and returned <see cref="When"/>.
/// The nodes of an <c>if</c> arm carry one guard per enclosing <c>if</c>; a node runs only when all its guards hold,
/// and is skipped otherwise.
/// </summary>
/// <param name="Node">The id of the node whose <c>bool</c> result decides.</param>
/// <param name="When">The result the guarded node needs.</param>
/// <param name="Probability">Optional hint: how often the guard holds, in [0, 1], for expected-cost planning; <see langword="null"/> when unknown.</param>
public sealed record NodeGuard(int Node, bool When, double? Probability = null)
{
    /// <inheritdoc/>
    public override string ToString() => (When ? "node" : "!node") + Node.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
