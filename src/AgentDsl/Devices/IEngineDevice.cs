namespace AgentDsl.Devices;

/// <summary>
/// A device that runs the nodes it serves with an engine in place of the operator's C# body — an LLM endpoint
/// (<c>IChatClient</c>), a llama.cpp context, an ONNX Runtime session. The body is then a stand-in (or the oracle),
/// not the same work: while an engine device in service can run a node, placement puts the node on engine devices
/// only (the body's quick time on the CPU must not win the plan); the body stays the fallback a retry may use when
/// the engine fails, and runs the node when no engine device that serves it is in service.
/// </summary>
public interface IEngineDevice : IAgentDevice;
