using AgentDsl;

namespace MyAgent;

/// <summary>An agent graph: the generator turns the flow into a graph of two operators.</summary>
[AgentGraph(LatencySlaMs = 1000)]
public partial class Greeter
{
    [Flow]
    public string Run(string name) => Shout(Greet(name));

    [Operator]
    public string Greet(string name) => "hello " + name;

    [Operator]
    public string Shout(string text) => text.ToUpperInvariant();
}
