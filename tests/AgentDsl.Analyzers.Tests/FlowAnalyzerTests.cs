using AgentDsl.Analyzers;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Analyzers.Tests;

public class FlowAnalyzerTests
{
    private static Task Verify(string source) => AgentDslVerifier.VerifyAnalyzerAsync<FlowAnalyzer>(source);

    private static string Graph(string flow, string extra = "") => $$"""
        using System.Threading;
        using System.Threading.Tasks;
        using AgentDsl;

        [AgentGraph]
        public partial class G
        {
            [Flow]
            public async Task<string> Run(string q, CancellationToken ct)
            {
        {{flow}}
            }

            [Operator] public string A(string s) => s;
            [Operator] public Task<string> B(string s, CancellationToken ct) => Task.FromResult(s);
            [Operator] public void Log(string s) { }
        {{extra}}
        }
        """;

    [Fact]
    public Task EveryResultUsed_AndEveryOperatorCalled_HasNoDiagnostic() => Verify(Graph("""
                var a = A(q);
                Log(a);
                var b = B(a, ct);
                await Task.WhenAll(b);
                return await b;
        """));

    [Fact]
    public Task ADSL0005_LocalNeverRead() => Verify(Graph("""
                var {|ADSL0005:unused = A(q)|};
                Log(q);
                return await B(q, ct);
        """));

    [Fact]
    public Task ADSL0005_ResultDiscarded() => Verify(Graph("""
                {|ADSL0005:A(q)|};
                Log(q);
                return await B(q, ct);
        """));

    [Fact]
    public Task ADSL0005_TaskOnlyJoined_NeverAwaitedForItsResult() => Verify(Graph("""
                var {|ADSL0005:t = B(q, ct)|};
                await Task.WhenAll(t);
                Log(q);
                return A(q);
        """));

    [Fact]
    public Task ADSL0006_OperatorNoFlowCalls() => Verify(Graph(
        """
                Log(q);
                return await B(A(q), ct);
        """,
        "[Operator] public string {|ADSL0006:Orphan|}(string s) => s;"));
}
