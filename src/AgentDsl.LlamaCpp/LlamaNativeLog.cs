using System.Collections.Concurrent;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// llama.cpp's log, routed to the engine's logger (warnings and errors; the rest is dropped) and kept briefly so a
/// load failure can say what llama.cpp said. llama.cpp takes one callback per process, set before its first call.
/// </summary>
internal static partial class LlamaNativeLog
{
    private static readonly ConcurrentQueue<string> RecentErrors = new();
    private static volatile ILogger? _logger;
    private static int _attached;

    /// <summary>Sends llama.cpp's warnings and errors to <paramref name="logger"/> (the latest engine's).</summary>
    public static void Attach(ILogger logger)
    {
        _logger = logger;
        if (Interlocked.Exchange(ref _attached, 1) == 1)
        {
            return;
        }

        try
        {
            NativeLibraryConfig.All.WithLogCallback(OnLog);
        }
        catch (InvalidOperationException)
        {
            // The native library was loaded before (by the application itself): its log stays where the application sent it.
        }
    }

    /// <summary>llama.cpp's last errors, for an exception's message.</summary>
    public static string Recent() => string.Join(" ", RecentErrors.TakeLast(5));

    private static void OnLog(LLamaLogLevel level, string message)
    {
        if (level is not (LLamaLogLevel.Error or LLamaLogLevel.Warning))
        {
            return;
        }

        message = message.TrimEnd();
        RecentErrors.Enqueue(message);
        while (RecentErrors.Count > 20)
        {
            RecentErrors.TryDequeue(out _);
        }

        if (_logger is { } logger)
        {
            Log(logger, level == LLamaLogLevel.Error ? LogLevel.Error : LogLevel.Warning, message);
        }
    }

    [LoggerMessage(EventId = Telemetry.AgentDslEventIds.EngineNativeLog, Message = "llama.cpp: {Message}")]
    private static partial void Log(ILogger logger, LogLevel level, string message);
}
