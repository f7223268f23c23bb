using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentDsl.Hosting.Http.Tests;

/// <summary>
/// Answers "remote:" + the prompt. Streaming, it sends the first 4-character chunk, then waits until the test says it
/// received that chunk over HTTP (<see cref="FirstChunkSeen"/>) before sending the rest: the test cannot pass unless
/// chunks really leave the server while the node is still running.
/// </summary>
internal sealed class StreamingChatClient : IChatClient
{
    public TaskCompletionSource FirstChunkSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool WaitForReader { get; init; }

    public List<string> Streamed { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "remote:" + messages.Last().Text)));

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string text = "remote:" + messages.Last().Text;
        for (int i = 0; i < text.Length; i += 4)
        {
            if (i == 4 && WaitForReader)
            {
                await FirstChunkSeen.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }

            await Task.Yield();
            string chunk = text[i..Math.Min(i + 4, text.Length)];
            lock (Streamed)
            {
                Streamed.Add(chunk);
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
