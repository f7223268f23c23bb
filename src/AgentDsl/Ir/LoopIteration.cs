namespace AgentDsl.Ir;

/// <summary>Where a node sits in an unrolled loop of the flow (the innermost one).</summary>
/// <param name="Loop">The loop's number in the flow, 0-based in source order.</param>
/// <param name="Iteration">The iteration this copy of the body is, 0-based.</param>
/// <param name="Bound">The loop's bound: its constant iteration count (<c>for</c>) or declared maximum (<c>while</c>).</param>
public sealed record LoopIteration(int Loop, int Iteration, int Bound);
