using AgentDsl.Analyzers;
using AgentDsl.Generators.Tests.Helpers;
using Xunit;

namespace AgentDsl.Analyzers.Tests;

public class GraphDeclarationAnalyzerTests
{
    private static Task Verify(string source) => AgentDslVerifier.VerifyAnalyzerAsync<GraphDeclarationAnalyzer>(source);

    [Fact]
    public Task ValidGraph_HasNoDiagnostic() => Verify(/* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public partial class G
        {
            [Flow] public int Run(int x) => Inc(x);
            [Operator] public int Inc(int x) => x + 1;
        }
        """);

    [Fact]
    public Task ADSL0300_GraphClassNotPartial() => Verify(/* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public class {|ADSL0300:G|}
        {
            [Flow] public int Run(int x) => Inc(x);
            [Operator] public int Inc(int x) => x + 1;
        }
        """);

    [Fact]
    public Task ADSL0300_ContainingTypeNotPartial() => Verify(/* lang=c# */ """
        using AgentDsl;
        public class Outer
        {
            [AgentGraph] public partial class {|ADSL0300:G|}
            {
                [Flow] public int Run(int x) => Inc(x);
                [Operator] public int Inc(int x) => x + 1;
            }
        }
        """);

    [Fact]
    public Task ADSL0301_NoFlow() => Verify(/* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public partial class {|ADSL0301:G|}
        {
            [Operator] public int Inc(int x) => x + 1;
        }
        """);

    [Fact]
    public Task ADSL0301_TwoFlows() => Verify(/* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public partial class {|ADSL0301:G|}
        {
            [Flow] public int Run(int x) => Inc(x);
            [Flow] public int Run2(int x) => Inc(x);
            [Operator] public int Inc(int x) => x + 1;
        }
        """);

    [Fact]
    public Task ADSL0302_OperatorOutsideGraph() => Verify(/* lang=c# */ """
        using AgentDsl;
        public class NotAGraph
        {
            [{|ADSL0302:Operator|}] public int Inc(int x) => x + 1;
            [{|ADSL0302:Flow|}] public int Run(int x) => Inc(x);
        }
        """);

    [Fact]
    public Task ADSL0303_GenericGraph() => Verify(/* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public partial class {|ADSL0303:G|}<T>
        {
            [Flow] public int Run(int x) => Inc(x);
            [Operator] public int Inc(int x) => x + 1;
        }
        """);

    [Fact]
    public Task ADSL0304_ProbabilityOutsideZeroToOne() => Verify(/* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public partial class G
        {
            [Flow] public int Run(int x) => Big(x) ? Inc(x) : Dec(x);
            [{|ADSL0304:Operator(TrueProbability = 1.5)|}] public bool Big(int x) => x > 10;
            [Operator(TrueProbability = 0.25)] public int Inc(int x) => x + 1;
            [Operator(TrueProbability = 0)] public int Dec(int x) => x - 1;
        }
        """);
}
