using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>Thrown when a node cannot be placed on any available device.</summary>
public sealed class PlacementException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlacementException(string message)
        : base(message)
    {
    }
}
