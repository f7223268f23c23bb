using AgentDsl.Generators;
using AgentDsl.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AgentDsl.Analyzers.Tests;

/// <summary>
/// How kernel errors reach the user: from KernelAnalyzer, next to the compiler's own errors (a generator's error stopped
/// the compiler before them), and never as a consequence of a C# error.
/// </summary>
public class KernelErrorReportingTests
{
    private static string Kernel(string body, string elsewhere = "") => $$"""
        using System;
        using AgentDsl;
        using AgentDsl.Kernels;

        public static partial class K
        {
            [Kernel]
            public static void Run(int i, ReadOnlySpan<float> x, Span<float> y)
            {
        {{body}}
            }

            public static void Other()
            {
        {{elsewhere}}
            }
        }
        """;

    [Fact]
    public Task AKernelError_AndACompilerErrorElsewhere_AreBothReported() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel(
            """
                    {|ADSL0101:foreach (var v in x) { y[i] += v; }|}
            """,
            """
                    int n = {|CS0029:"text"|};
            """));

    [Fact]
    public Task AConstructWithACompilerError_GetsNoKernelError() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel(
            """
                    y[i] = {|CS0103:Missing|}(x[i]);
            """));

    [Fact]
    public void TheGenerator_ReportsNoKernelError()
    {
        // Before: the generator reported ADSL0101 here, and the compiler stopped before its own errors.
        var compilation = Compilations.Create(Kernel("""
                    foreach (var v in x) { y[i] += v; }
            """));
        CSharpGeneratorDriver.Create([new KernelGenerator().AsSourceGenerator()], parseOptions: Compilations.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        Assert.Empty(diagnostics);
    }
}
