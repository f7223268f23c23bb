using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>A node failed on a remote device; the message and type are the remote exception's.</summary>
public sealed class RemoteNodeException : Exception
{
    /// <summary>Creates the exception from the remote error.</summary>
    public RemoteNodeException(string device, NodeError error)
        : base($"On remote device '{device}': {(error ?? throw new ArgumentNullException(nameof(error))).ExceptionType}: {error.Message}")
    {
        Device = device;
        Error = error;
    }

    /// <summary>The remote device.</summary>
    public string Device { get; }

    /// <summary>The error as reported.</summary>
    public NodeError Error { get; }
}
