namespace AgentDsl.Hosting;

/// <summary>One message of a chat request, as an <see cref="AgentChatMapping.Inputs"/> function sees it.</summary>
/// <param name="Role">The role as sent: <c>system</c>, <c>developer</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</param>
/// <param name="Text">The message's text (its text parts joined; empty when it has none).</param>
public sealed record ChatTurn(string Role, string Text);
