extern alias analyzers;
extern alias generators;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using FlowAnalyzer = analyzers::AgentDsl.Analyzers.FlowAnalyzer;
using KernelAnalyzer = analyzers::AgentDsl.Analyzers.KernelAnalyzer;
using FlowGraphGenerator = generators::AgentDsl.Generators.FlowGraphGenerator;

namespace AgentDsl.Testing;

/// <summary>
/// Hermetic Roslyn test wrappers (no reference-pack download): diagnostics are asserted with
/// <c>{|ADSL0001:span|}</c> markup, so the location is checked, not only the ID.
/// </summary>
public static class AgentDslVerifier
{
    /// <summary>
    /// Checks the kernel errors in <paramref name="source"/> (ADSL0100 to ADSL0106, which KernelAnalyzer reports: the
    /// generator reports none) and the compiler's errors.
    /// </summary>
    public static Task VerifyKernelErrorsAsync(string source)
    {
        var test = new CSharpAnalyzerTest<KernelAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test.TestState, test);
        return test.RunAsync();
    }

    /// <summary>
    /// Checks the flow lowering's errors in <paramref name="source"/> (ADSL0001 to ADSL0004, which FlowAnalyzer reports,
    /// and the compiler's errors), without its graph findings (ADSL0005, ADSL0006) so each case marks only its point.
    /// </summary>
    /// <remarks>Markup <c>{|#0:span|}</c> with an <paramref name="expected"/> result <c>.WithLocation(0).WithArguments(...)</c> asserts the message too.</remarks>
    public static Task VerifyFlowErrorsAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<FlowAnalyzer, DefaultVerifier> { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        test.DisabledDiagnostics.AddRange(["ADSL0005", "ADSL0006"]);
        Configure(test.TestState, test);
        return test.RunAsync();
    }

    /// <summary>Runs <typeparamref name="TAnalyzer"/> on <paramref name="source"/> (and additional files, markup allowed) and checks its diagnostics.</summary>
    public static Task VerifyAnalyzerAsync<TAnalyzer>(string source, params (string Path, string Text)[] additionalFiles)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        foreach (var file in additionalFiles)
        {
            test.TestState.AdditionalFiles.Add((file.Path, file.Text));
        }

        Configure(test.TestState, test);
        return test.RunAsync();
    }

    private static void Configure(SolutionState state, AnalyzerTest<DefaultVerifier> test)
    {
        test.ReferenceAssemblies = new ReferenceAssemblies(string.Empty);
        state.AdditionalReferences.AddRange(Compilations.References);
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            return solution
                .WithProjectParseOptions(projectId, ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest))
                .WithProjectCompilationOptions(projectId, project.CompilationOptions!.WithOutputKind(OutputKind.DynamicallyLinkedLibrary));
        });
    }
}
