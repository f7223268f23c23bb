namespace AgentDsl;

/// <summary>
/// Marks the one method of an <see cref="AgentGraphAttribute"/> class whose body composes operators.
/// The body is analysed at compile time, not executed by the runtime: each operator call becomes
/// a node and each local passed from one call to another an edge. Calls that do not depend on
/// each other run concurrently.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FlowAttribute : Attribute
{
    /// <summary>
    /// The most iterations any <c>while</c> loop of the flow runs (an agent ⇄ tool loop needs a bound). The loop is
    /// unrolled to this many guarded iterations at compile time; after the last one the flow continues, as if the
    /// condition had turned false. 0 (the default) makes a <c>while</c> loop an error. <c>for</c> loops with constant
    /// bounds need no declaration.
    /// </summary>
    public int MaxIterations { get; set; }
}
