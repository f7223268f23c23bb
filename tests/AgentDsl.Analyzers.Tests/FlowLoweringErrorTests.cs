using AgentDsl.Testing;
using Xunit;

namespace AgentDsl.Analyzers.Tests;

/// <summary>
/// Every unsupported flow construct is an error at the construct (span asserted by markup), never a silently wrong graph.
/// FlowAnalyzer reports them from the shared lowering; the generator reports none (see <see cref="FlowErrorReportingTests"/>).
/// </summary>
public class FlowLoweringErrorTests
{
    private static string Graph(string flowBody, string extraMembers = "") => $$"""
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentDsl;

        [AgentGraph]
        public partial class G
        {
            private readonly int _field = 3;

            [Flow]
            public async Task<string> Run(string input, CancellationToken ct)
            {
        {{flowBody}}
            }

            [Operator] public string A(string s) => s;
            [Operator] public string B(string s, int n) => s + n;
            [Operator] public Task<string> C(string s, CancellationToken ct) => Task.FromResult(s);
            [Operator] public bool Check(string s) => s.Length > 0;
            [Operator] public string O(object o) => o.ToString()!;
            [Operator] public void Audit(string s) { }
            [Operator] public string[] Parts(string s) => s.Split(' ');
            public string Helper(string s) => s;
        {{extraMembers}}
        }
        """;

    public static TheoryData<string> UnsupportedStatements => new()
    {
        // A switch section with two labels would need a disjunction: marker on the second label.
        """
                var a = A(input);
                switch (a) { case "x": {|ADSL0001:case "y":|} Audit(a); break; default: break; }
                return a;
        """,
        // A switch where only some sections return.
        """
                var a = A(input);
                {|ADSL0001:switch (a) { case "x": return a; default: break; }|}
                return a;
        """,
        // A return in an arm that can also fall through: what follows would run under a disjunction.
        """
                var a = A(input);
                if (Check(a))
                {
                    if (Check(input)) { {|ADSL0001:return a;|} }
                    Audit(a);
                }

                return input;
        """,
        // Inside an if arm, the usual rules apply.
        """
                var a = A(input);
                if (Check(a)) { {|ADSL0001:a += A(a)|}; }
                return a;
        """,
        """
                var a = A(input);
                {|ADSL0001:for (int i = 0; i < 100; i++) { }|}
                return a;
        """,
        """
                var a = A(input);
                {|ADSL0001:foreach (var ch in input) { }|}
                return a;
        """,
        """
                var a = A(input);
                {|ADSL0001:while (a.Length > 10) { }|}
                return a;
        """,
        """
                var a = A(input);
                {|ADSL0001:try { } catch { }|}
                return a;
        """,
        """
                var a = A(input);
                {|ADSL0001:lock (this) { }|}
                return a;
        """,
        """
                var a = A(input);
                {|ADSL0001:a += A(a)|};
                return a;
        """,
        """
                var a = A(input);
                switch (a) { {|ADSL0001:case string s when s.Length > 2:|} Audit(a); break; }
                return a;
        """,
        """
                var a = A(input);
                {|ADSL0001:string Local(string s) => s;|}
                return a;
        """,
    };

    [Theory]
    [MemberData(nameof(UnsupportedStatements))]
    public Task UnsupportedStatement_IsReportedAtTheStatement(string body) =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph(body));

    public static TheoryData<string> UnsupportedLoopsAndAssignments => new()
    {
        // A for loop whose bound is not a constant.
        """
                var a = A(input);
                {|ADSL0001:for (int i = 0; i < a.Length; i++) { }|}
                return a;
        """,
        // A return inside a loop.
        """
                var a = A(input);
                for (int i = 0; i < 2; i++) { if (Check(a)) { {|ADSL0001:return a;|} } }
                return a;
        """,
        // A break in an arm that can fall through.
        """
                var a = A(input);
                for (int i = 0; i < 2; i++)
                {
                    if (Check(a)) { if (Check(input)) { {|ADSL0001:break;|} } Audit(a); }
                    a = A(a);
                }

                return a;
        """,
        // Assigning an older value would not be guarded by the enclosing if.
        """
                var a = A(input);
                var b = A(a);
                if (Check(a)) { a = {|ADSL0002:b|}; }
                return a;
        """,
        // A different type needs an operator.
        """
                object o = O(input);
                o = {|ADSL0002:A(input)|};
                return input;
        """,
    };

    [Theory]
    [MemberData(nameof(UnsupportedLoopsAndAssignments))]
    public Task UnsupportedLoopOrAssignment_IsReported(string body) =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph(body));

    public static TheoryData<string> UnsupportedConditions => new()
    {
        // A comparison is computed in the flow: it belongs in an operator that returns bool.
        """
                var a = A(input);
                if ({|ADSL0002:a.Length > 3|}) { return B(a, 1); }
                return a;
        """,
        // A string result is not a condition.
        """
                var a = A(input);
                return {|ADSL0002:Check(a) && Check(input)|} ? a : input;
        """,
        // A condition must come from an operator, not a parameter.
        """
                var a = A(input);
                return {|ADSL0002:false|} ? a : input;
        """,
    };

    public static TheoryData<string> UnsupportedFanOuts => new()
    {
        // A foreach body with two statements.
        """
                var parts = Parts(input);
                {|ADSL0001:foreach (var p in parts) { Audit(p); Audit(input); }|}
                return input;
        """,
        // A foreach adding to a list of another type.
        """
                var parts = Parts(input);
                var all = new System.Collections.Generic.List<object>();
                foreach (var p in parts) { all.Add({|ADSL0002:A(p)|}); }
                return input;
        """,
        // A foreach whose operator's task is not awaited.
        """
                var parts = Parts(input);
                foreach (var p in parts) { {|ADSL0002:C(p, ct)|}; }
                return input;
        """,
        // The body is more than one operator call on the element.
        """
                var parts = Parts(input);
                var xs = parts.Select(p => {|ADSL0002:A(A(p))|}).ToArray();
                return input;
        """,
        // A block-bodied lambda.
        """
                var parts = Parts(input);
                var xs = parts.Select({|ADSL0002:p => { return A(p); }|}).ToArray();
                return input;
        """,
        // An async operator without Task.WhenAll.
        """
                var parts = Parts(input);
                var xs = {|ADSL0002:parts.Select(p => C(p, ct)).ToArray()|};
                return input;
        """,
        // The element is not passed to the operator.
        """
                var parts = Parts(input);
                var xs = parts.Select(p => {|ADSL0002:A(input)|}).ToArray();
                return input;
        """,
    };

    [Fact]
    public Task OperatorCallAsAnotherArgumentOfAFanOut_IsReportedAtThatCall_SayingWhy() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var parts = Parts(input);
                var xs = parts.Select(p => Pair(p, {|ADSL0002:A(input)|})).ToArray();
                return input;
        """, "[Operator] public string Pair(string a, string b) => a + b;"));

    [Fact]
    public Task SwitchInsideAnIfArm_AndAParenthesisedArgument_AreNotReported() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = A(input);
                if (Check(a))
                {
                    switch (a)
                    {
                        case "x":
                            Audit(a);
                            break;
                        default:
                            a = A((input));
                            break;
                    }
                }

                return Check(a) ? a : "none";
        """));

    [Theory]
    [MemberData(nameof(UnsupportedFanOuts))]
    public Task UnsupportedFanOut_IsReportedAtTheLambdaOrCall(string body) =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph(body));

    [Theory]
    [MemberData(nameof(UnsupportedConditions))]
    public Task UnsupportedCondition_IsReportedAtTheCondition(string body) =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph(body));

    public static TheoryData<string> UnsupportedExpressions => new()
    {
        """
                return A({|ADSL0002:input + "!"|});
        """,
        """
                return B(input, {|ADSL0002:_field|});
        """,
        """
                var pending = C(input, ct);
                return A({|ADSL0002:pending.Result|});
        """,
        """
                var t = C(input, ct);
                return O({|ADSL0002:t|});
        """,
        """
                var r = {|ADSL0002:await Task.WhenAll(C(input, ct), C(input, ct))|};
                return {|ADSL0002:r[0]|};
        """,
        """
                using var cts = new CancellationTokenSource();
                return await C(input, {|ADSL0002:cts.Token|});
        """,
    };

    [Theory]
    [MemberData(nameof(UnsupportedExpressions))]
    public Task UnsupportedExpression_IsReportedAtTheExpression(string body)
    {
        // 'using var' is reported as a statement too; the markup for it is added here to keep the cases readable.
        string source = Graph(body).Replace("using var cts", "{|ADSL0001:using|} var cts");
        return AgentDslVerifier.VerifyFlowErrorsAsync(source);
    }

    [Fact]
    public Task CallToPlainMethod_IsNotAnOperator() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = A(input);
                return {|ADSL0003:Helper(a)|};
        """));

    [Fact]
    public Task MethodCallOnAValue_IsNotAnOperator() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                return A({|ADSL0003:input.Trim()|});
        """));

    [Fact]
    public Task CallToOtherClass_IsNotAnOperator() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = A(input);
                return {|ADSL0003:string.Concat(a, a)|};
        """));

    [Fact]
    public Task NestedFlow_CalledStatically_IsReported() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = A(input);
                return {|ADSL0002:Other.Go(a)|};
        """, """
            }

            [AgentGraph]
            public partial class Other
            {
                [Flow] public static string Go(string s) => Echo(s);
                [Operator] public static string Echo(string s) => s;
        """));

    [Fact]
    public Task NestedFlow_OnALocalInstance_AndWithAnOmittedParameter_AreReported() =>
        AgentDslVerifier.VerifyFlowErrorsAsync("""
            using AgentDsl;

            [AgentGraph]
            public partial class Outer(Inner inner)
            {
                [Flow]
                public string Run(string q)
                {
                    var a = {|ADSL0002:new Inner().Go(q, 1)|};
                    return {|ADSL0002:inner.Go(a)|};
                }
            }

            [AgentGraph]
            public partial class Inner
            {
                [Flow] public string Go(string s, int n = 2) => Echo(s, n);
                [Operator] public string Echo(string s, int n) => s;
            }
            """);

    [Fact]
    public Task FlowCallingItself_IsReported() =>
        AgentDslVerifier.VerifyFlowErrorsAsync("""
            using AgentDsl;

            [AgentGraph]
            public partial class Loop
            {
                [Flow] public string Run(string q) => {|ADSL0003:Run(q)|};
            }
            """);

    [Fact]
    public Task RefParameter_IsAnUnsupportedSignature() =>
        AgentDslVerifier.VerifyFlowErrorsAsync("""
            using AgentDsl;

            [AgentGraph]
            public partial class G
            {
                [Flow] public string Run(string a, ref int {|ADSL0004:count|}) => A(a);
                [Operator] public string A(string s) => s;
            }
            """);

    [Fact]
    public Task SeveralErrors_AreAllReportedInOneBuild() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = A({|ADSL0002:input + "x"|});
                {|ADSL0001:do { } while (false);|}
                return {|ADSL0003:Helper(a)|};
        """));

    [Fact]
    public Task ALocalThatFailedToLower_IsNotReportedAgainWhereItIsUsed() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                var a = A({|ADSL0002:input + "x"|});
                var b = A(a);
                return B(b, 2);
        """));

    [Fact]
    public Task SupportedFlow_HasNoDiagnostics() =>
        AgentDslVerifier.VerifyFlowErrorsAsync(Graph("""
                const int n = 4;
                var a = A(input);
                var c = C(a, ct);
                var d = C(input, default);
                await Task.WhenAll(c, d);
                return B(await c + "", n);
        """).Replace("B(await c + \"\", n)", "B(await c, n)"));
}
