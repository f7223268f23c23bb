namespace AgentDsl.Execution;

/// <summary>
/// A piece of text a node produced while it was still running (a token or a chunk of an LLM's answer), passed to
/// <see cref="AgentRequestOptions.OnText"/> in the order it was produced.
/// </summary>
/// <param name="RequestId">The request.</param>
/// <param name="Node">The node's name.</param>
/// <param name="Device">The device producing it.</param>
/// <param name="Text">The text (a part; the node's result is the whole).</param>
public sealed record NodeText(long RequestId, string Node, string Device, string Text);
