using AgentDsl.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AgentDsl.Analyzers.Tests;

/// <summary>
/// How flow errors reach the user: from FlowAnalyzer, next to the compiler's own errors, and never as a consequence of a
/// C# error (the construct with the C# error gets no ADSL error, and the graph findings are not made for a broken flow).
/// </summary>
public class FlowErrorReportingTests
{
    private static Task Verify(string source) => AgentDslVerifier.VerifyAnalyzerAsync<FlowAnalyzer>(source);

    private static string Graph(string flow) => $$"""
        using System.Threading.Tasks;
        using AgentDsl;

        [AgentGraph]
        public partial class G
        {
            [Flow]
            public async Task<string> Run(string x)
            {
        {{flow}}
            }

            [Operator] public Task<string> Echo(string s) => Task.FromResult(s);
        }
        """;

    [Fact]
    public Task ForgottenAwait_IsTheCompilersTypeMismatch_WithNoAdslError() => Verify(Graph("""
                var a = Echo(x);
                return await Echo({|CS1503:a|});
        """));

    [Fact]
    public Task CallToAMissingMethod_IsTheCompilersError_WithNoAdslError() => Verify(Graph("""
                var a = await Echo(x);
                return await {|CS0103:Missing|}(a);
        """));

    [Fact]
    public Task ACompilerErrorInOneStatement_SilencesThatStatementOnly() => Verify(Graph("""
                var a = await Echo(x);
                int n = {|CS0029:"text"|};
                return await Echo({|ADSL0002:a + "!"|});
        """));

    [Fact]
    public Task AFlowError_IsReportedByTheAnalyzer() => Verify(Graph("""
                return await Echo({|ADSL0002:x + "!"|});
        """));

    [Fact]
    public async Task AWarningMadeAnError_DoesNotSilenceTheFlowError()
    {
        // CS0219 (assigned, never used) inside the lock: with warnings as errors it is an error, but not one that changes
        // what the lock statement is, so ADSL0001 is still reported there.
        var compilation = Compilations.Create(Graph("""
                var a = await Echo(x);
                lock (this) { int n = 1; }
                return await Echo(a);
        """)).WithOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, generalDiagnosticOption: ReportDiagnostic.Error));
        Assert.Contains(compilation.GetDiagnostics(), d => d.Id == "CS0219" && d.Severity == DiagnosticSeverity.Error);

        var diagnostics = await compilation.WithAnalyzers([new FlowAnalyzer()]).GetAnalyzerDiagnosticsAsync();

        var error = Assert.Single(diagnostics, d => d.Id.StartsWith("ADSL", StringComparison.Ordinal));
        Assert.Equal("ADSL0001", error.Id);
        Assert.StartsWith("lock (this)", error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan), StringComparison.Ordinal);
    }
}
