using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

/// <summary>A heavy step (10^11 FLOPs) feeding a light one (10^4 FLOPs): cost hints only, no device preference.</summary>
[AgentGraph]
public partial class HintGraph
{
    [Flow]
    public int Run(int x)
    {
        var heavy = Heavy(x);
        return Light(heavy);
    }

    [Operator(Flops = 1e11)]
    public int Heavy(int x) => x + 1;

    [Operator(Flops = 1e4)]
    public int Light(int x) => x * 2;
}
