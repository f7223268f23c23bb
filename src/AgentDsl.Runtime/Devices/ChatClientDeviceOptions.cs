using AgentDsl.Ir;
using Microsoft.Extensions.AI;

namespace AgentDsl.Devices;

/// <summary>Settings of a <see cref="ChatClientDevice"/>.</summary>
public sealed class ChatClientDeviceOptions
{
    /// <summary>Requests the endpoint serves at once (its rate limit); the runtime queues the rest, earliest deadline first.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Price of a million input (prompt) tokens in US dollars, when the endpoint reports usage.</summary>
    public double InputUsdPerMillionTokens { get; set; }

    /// <summary>Price of a million output tokens in US dollars, when the endpoint reports usage.</summary>
    public double OutputUsdPerMillionTokens { get; set; }

    /// <summary>A system message sent before each prompt; none when null.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>Options of each call (model id, temperature…); the node's <c>Model</c> fills <c>ModelId</c> when unset.</summary>
    public ChatOptions? ChatOptions { get; set; }
}
