using AgentDsl.Ir;
using Microsoft.Extensions.AI;

namespace AgentDsl.Devices;

/// <summary>
/// A remote LLM endpoint as a device: any <see cref="IChatClient"/> of Microsoft.Extensions.AI (OpenAI, Azure, Ollama,
/// a local ONNX model…). It runs <see cref="OperatorKind.Llm"/> nodes that take a <c>string</c> prompt and return a
/// <c>string</c>: the prompt goes to the endpoint as a user message and the response text becomes the node's result;
/// the operator's C# body is not called (it is the node's implementation on other devices, such as a local fallback).
/// Token usage is priced into the request's cost. What crosses the boundary — the chat messages and the response — is
/// serializable (Microsoft.Extensions.AI's JSON contracts).
/// </summary>
public sealed class ChatClientDevice : IEngineDevice
{
    private readonly IChatClient _client;
    private readonly ChatClientDeviceOptions _options;

    /// <summary>Creates the device.</summary>
    /// <param name="name">A unique device name, for example <c>llm:openai</c>.</param>
    /// <param name="client">The endpoint.</param>
    /// <param name="options">Concurrency, prices and call options; defaults when null.</param>
    public ChatClientDevice(string name, IChatClient client, ChatClientDeviceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new ChatClientDeviceOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxConcurrency, nameof(options));
        Descriptor = new DeviceDescriptor(name, DeviceKinds.Remote)
        {
            MaxConcurrency = _options.MaxConcurrency,
            IsRemote = true,
            Vendor = client.GetService<ChatClientMetadata>()?.ProviderName,
        };
    }

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node) => PromptNodes.IsPromptToText(node);

    /// <inheritdoc/>
    public async ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        string prompt = PromptNodes.Prompt(work);

        var messages = new List<ChatMessage>(2);
        if (_options.SystemPrompt is { } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        messages.Add(new ChatMessage(ChatRole.User, prompt));
        var options = _options.ChatOptions?.Clone() ?? new ChatOptions();
        options.ModelId ??= work.Node.Cost.Model?.Name;

        ChatResponse response;
        try
        {
            response = work.OnText is { } onText
                ? await StreamAsync(work, onText, messages, options, cancellationToken).ConfigureAwait(false)
                : await _client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Chat endpoint '{Descriptor.Name}' failed for {work.Node.Describe()}: {ex.Message}", ex);
        }

        if (response.Usage is { } usage)
        {
            double usd = ((usage.InputTokenCount ?? 0) * _options.InputUsdPerMillionTokens / 1e6)
                + ((usage.OutputTokenCount ?? 0) * _options.OutputUsdPerMillionTokens / 1e6);
            work.ReportCost(usd);
        }

        work.Complete(new NodeCompletion(work.RequestId, work.Node.Id, response.Text, Error: null), Descriptor.Name);
    }

    /// <summary>
    /// Streams the answer (<see cref="IChatClient.GetStreamingResponseAsync"/>), passing each update's text to the
    /// caller as it arrives, and returns the whole response the updates make up (text and usage).
    /// </summary>
    private async Task<ChatResponse> StreamAsync(NodeWork work, Action<Execution.NodeText> onText, List<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in _client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            if (update.Text is { Length: > 0 } text)
            {
                onText(new Execution.NodeText(work.RequestId, work.Node.Name, Descriptor.Name, text));
            }
        }

        return updates.ToChatResponse();
    }
}
