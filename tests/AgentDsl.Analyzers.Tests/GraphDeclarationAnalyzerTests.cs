using AgentDsl.Analyzers;
using Xunit;
using AgentDsl.Testing;

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

    [Fact]
    public Task ADSL0305_ListOverloadThatIsNotABatchForm() => Verify(/* lang=c# */ """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentDsl;
        [AgentGraph] public partial class G
        {
            [Flow] public int Run(string s) => Score(Embed(s));
            [Operator(Batchable = true)] public int[] Embed(string s) => new[] { s.Length };
            public int[] {|ADSL0305:Embed|}(IReadOnlyList<int> ids) => new int[0];
            public Task<int> {|ADSL0305:Embed|}(IReadOnlyList<string> texts, CancellationToken ct) => Task.FromResult(0);
            [Operator] public int Score(int[] v) => v.Length;
        }
        """);

    [Fact]
    public Task ADSL0306_BatchableOperatorWithoutABatchForm_AndNoneWhenThereIsOne() => Verify(/* lang=c# */ """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using AgentDsl;
        [AgentGraph] public partial class G
        {
            [Flow] public int Run(string s) => Score(Embed(s)) + Count(s);
            [Operator(Batchable = true)] public int[] {|ADSL0306:Embed|}(string s) => new[] { s.Length };
            [Operator(Batchable = true)] public int Score(int[] v) => v.Length;
            public ValueTask<IReadOnlyList<int>> Score(IReadOnlyList<int[]> batch) => new(new int[batch.Count]);
            [Operator] public int Count(string s) => s.Length;
            public int[] Count(IReadOnlyList<string> texts) => new int[texts.Count]; // not batchable: no diagnostic
        }
        """);
}
