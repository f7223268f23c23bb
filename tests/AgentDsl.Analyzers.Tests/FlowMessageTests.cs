using AgentDsl.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace AgentDsl.Analyzers.Tests;

/// <summary>
/// Each message names the construct the user wrote and a fix that is possible (span and whole message asserted).
/// </summary>
public class FlowMessageTests
{
    private static string Graph(string flow, string flowSignature = "string x") => $$"""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;
        using AgentDsl;

        [AgentGraph]
        public partial class G
        {
            [Flow]
            public async Task<string> Run({{flowSignature}})
            {
        {{flow}}
            }

            [Operator] public (string, string) Pair(string s) => (s, s);
            [Operator] public string Join(string a, string b) => a + b;
            [Operator] public string Echo(string s) => s;
            [Operator] public bool Check(string s) => s.Length > 0;
            [Operator] public string[] Parts(string s) => s.Split(' ');
            [Operator] public void Log(string s) { }
        }
        """;

    private static DiagnosticResult Error(string id, string what, string hint) =>
        new DiagnosticResult(id, DiagnosticSeverity.Error).WithLocation(0).WithArguments(what, hint);

    [Fact]
    public Task TupleDeconstructionOfAnOperatorsTuple_IsLowered() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var (a, b) = Pair(x);
                (var c, _) = Pair(a);
                await Task.Yield();
                return Join(b, c);
        """).Replace("await Task.Yield();", ""));

    [Fact]
    public Task TupleDeconstructionIntoExistingLocals_SaysToDeclareThem() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = Echo(x);
                var b = Echo(x);
                {|#0:(a, b) = Pair(x)|};
                return Join(a, b);
        """), Error("ADSL0001", "(a, b) = Pair(x)",
        "a tuple deconstruction in a flow declares new locals, 'var (a, b) = Op(x);' (existing locals are assigned one by one, 'a = Op(x);'), or take the tuple in one local and pass it on"));

    [Fact]
    public Task TupleDeconstructionOfAParameter_SaysAnOperatorMustReturnTheTuple() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                {|#0:var (a, b) = pair|};
                return Join(a, b);
        """, "(string, string) pair"), Error("ADSL0001", "var (a, b) = pair",
        "a tuple deconstruction in a flow takes apart the tuple an operator call returns, 'var (a, b) = Op(x);'; have an operator return the tuple, or take the tuple in one local and pass it on"));

    [Fact]
    public Task LocalFunction_IsOneErrorAtItsDeclaration_SayingToMoveIt() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                {|#0:string Local(string s) => s;|}
                return Local(x);
        """), Error("ADSL0001", "local function Local", "a local function cannot be an operator; move it to a method of the graph class marked [Operator]"));

    [Fact]
    public Task LocalFunctionDeclaredAfterTheReturn_IsStillOneErrorAtItsDeclaration() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                return Local(x);

                {|#0:string Local(string s) => s;|}
        """), Error("ADSL0001", "local function Local", "a local function cannot be an operator; move it to a method of the graph class marked [Operator]"));

    [Fact]
    public Task WhereThenToArray_NamesTheChainAndWhere() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var parts = Parts(x);
                var kept = {|#0:parts.Where(p => Check(p)).ToArray()|};
                return Join(x, x);
        """), Error("ADSL0002", "parts.Where(p => Check(p)).ToArray()",
        "'Where' is LINQ a flow does not lower; the one LINQ form in a flow is a fan-out, 'items.Select(x => Op(x)).ToArray()' (or 'await Task.WhenAll(items.Select(x => Op(x)))'); filter with a foreach and an if, or inside an operator"));

    [Fact]
    public Task AwaitForeach_IsNamedAsSuch() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                {|#0:await foreach (var s in items) { Log(s); }|}
                return Echo(x);
        """, "string x, IAsyncEnumerable<string> items"), Error("ADSL0001", "await foreach",
        "a fan-out needs all its elements when it starts; have an operator return them as an array or list and 'foreach (var x in items) { await Op(x); }' over that, or consume the stream inside an operator"));

    [Fact]
    public Task InterpolatedReturn_IsDescribedAsTheReturnValue() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = Echo(x);
                return {|#0:$"{a}!"|};
        """), Error("ADSL0002", "$\"{a}!\"",
        "the return value is an operator result, a flow parameter or a constant; compute it inside an operator and return that operator's result"));

    [Fact]
    public Task ComputedLocal_IsDescribedAsALocal() => AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = {|#0:x + "!"|};
                return Echo(a);
        """), Error("ADSL0002", "x + \"!\"",
        "a flow local holds an operator result ('var a = Op(x);'), a flow parameter or a constant; compute anything else inside an operator"));
}
