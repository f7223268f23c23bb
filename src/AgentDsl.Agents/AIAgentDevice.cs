using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Ir;
using Microsoft.Agents.AI;

namespace AgentDsl.Agents;

/// <summary>
/// Any Microsoft Agent Framework <see cref="AIAgent"/> as a device: it serves LLM nodes from one prompt string to a
/// string (<see cref="PromptNodes"/>) by running the agent — its tools, instructions and memory included — in place
/// of the operator's body (an engine device: placement prefers it; the body stays the fallback). A request that
/// listens for text (<see cref="AgentRequestOptions.OnText"/>) gets the agent's streamed updates.
/// </summary>
public sealed class AIAgentDevice : IEngineDevice
{
    private readonly AIAgent _agent;
    private readonly string? _model;

    /// <summary>Creates the device.</summary>
    /// <param name="name">The device name.</param>
    /// <param name="agent">The agent.</param>
    /// <param name="model">Serve only nodes whose <c>Model</c> is this (case-insensitive); null: every prompt-to-text LLM node.</param>
    /// <param name="maxConcurrency">Runs of the agent at once.</param>
    public AIAgentDevice(string name, AIAgent agent, string? model = null, int maxConcurrency = 16)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrency);
        _agent = agent ?? throw new ArgumentNullException(nameof(agent));
        _model = model;
        Descriptor = new DeviceDescriptor(name, DeviceKinds.Remote) { MaxConcurrency = maxConcurrency, IsRemote = true, Vendor = "Microsoft Agent Framework" };
    }

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node) =>
        PromptNodes.IsPromptToText(node) && (_model is null || string.Equals(node.Cost.Model?.Name, _model, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc/>
    public async ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        string prompt = PromptNodes.Prompt(work);
        string text;
        if (work.OnText is { } onText)
        {
            var all = new System.Text.StringBuilder();
            await foreach (var update in _agent.RunStreamingAsync(prompt, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (update.Text is { Length: > 0 } piece)
                {
                    all.Append(piece);
                    onText(new NodeText(work.RequestId, work.Node.Name, Descriptor.Name, piece));
                }
            }

            text = all.ToString();
        }
        else
        {
            text = (await _agent.RunAsync(prompt, cancellationToken: cancellationToken).ConfigureAwait(false)).Text;
        }

        work.Complete(new NodeCompletion(work.RequestId, work.Node.Id, text, Error: null), Descriptor.Name);
    }
}
