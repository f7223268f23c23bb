using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>A failure reported across a device boundary.</summary>
/// <param name="ExceptionType">The exception's type name.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="DeviceUnavailable">Whether the device could not take the work at all (it did not start: safe to run elsewhere).</param>
public sealed record NodeError(string ExceptionType, string Message, bool DeviceUnavailable);
