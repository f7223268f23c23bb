using System.Reflection;
using System.Runtime.Loader;
using AgentDsl.Generators.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AgentDsl.Generators.Tests;

/// <summary>
/// A flow with errors: the generator reports nothing (the compiler would stop after it and hide its own errors; FlowAnalyzer
/// reports the flow's errors), and emits members that compile and throw naming the errors, so code that uses the graph
/// (<c>IAgentGraph&lt;T&gt;</c>, the typed RunAsync) has no follow-on errors.
/// </summary>
public class FlowWithErrorsTests
{
    private const string FlowError = /* lang=c# */ """
        using System.Threading.Tasks;
        using AgentDsl;
        using AgentDsl.Execution;
        using AgentDsl.Ir;

        namespace App;

        [AgentGraph]
        public partial class Echoes
        {
            [Flow]
            public async Task<string> Run(string x) => await Echo(x + "!");

            [Operator] public Task<string> Echo(string s) => Task.FromResult(s);
        }

        public static class Uses
        {
            public static GraphDefinition Definition<T>() where T : class, IAgentGraph<T> => T.Definition;

            public static GraphDefinition Echoes() => Definition<App.Echoes>();

            public static Task<AgentRunResult<string>> Run(IAgentRunner<App.Echoes> runner) => runner.RunAsync("hi");
        }
        """;

    [Fact]
    public void FlowWithAnError_IsEmittedAsMembersThatThrow()
    {
        // Run asserts no generator diagnostics and an output compilation without errors.
        var result = GeneratorHarness.Run(FlowError);
        Baseline.Verify(result.Run);
    }

    [Fact]
    public void FlowWithAnError_ThrowsNamingTheErrorAtRunTime()
    {
        var result = GeneratorHarness.Run(FlowError);
        using var image = new MemoryStream();
        Assert.True(result.Output.Emit(image).Success);
        image.Position = 0;
        var context = new AssemblyLoadContext("flow-with-errors", isCollectible: true);
        try
        {
            var definition = context.LoadFromStream(image).GetType("App.Echoes", throwOnError: true)!.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static)!;
            var thrown = Assert.IsType<InvalidOperationException>(Assert.Throws<TargetInvocationException>(() => definition.GetValue(null)).InnerException);
            Assert.Equal(
                "Graph 'Echoes' has no definition: its flow 'Run' did not lower (ADSL0002: 'x + \"!\"' is not supported in a [Flow] body: "
                + "an operator argument is a flow parameter, a local holding an operator result, a constant, the flow's CancellationToken "
                + "or an operator call; compute anything else inside an operator). Fix the errors the build reports and rebuild.",
                thrown.Message);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void ForgottenAwait_LeavesOnlyTheCompilersError()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using AgentDsl;

            namespace App;

            [AgentGraph]
            public partial class Echoes
            {
                [Flow]
                public async Task<string> Run(string x)
                {
                    var a = Echo(x);
                    return await Echo(a);
                }

                [Operator] public Task<string> Echo(string s) => Task.FromResult(s);
            }
            """, allowErrors: true);

        Assert.Empty(result.GeneratorDiagnostics);
        var error = Assert.Single(result.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS1503", error.Id);
        Assert.Equal("Agent.cs", error.Location.SourceTree!.FilePath);
    }
}
