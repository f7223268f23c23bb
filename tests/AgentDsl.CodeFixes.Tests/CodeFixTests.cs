using AgentDsl.Analyzers;
using AgentDsl.CodeFixes;
using AgentDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.CodeFixes.Tests;

public class CodeFixTests
{
    private static Task Verify<TAnalyzer, TFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = new ReferenceAssemblies(string.Empty),
        };
        test.TestState.AdditionalReferences.AddRange(Compilations.References);
        test.FixedState.AdditionalReferences.AddRange(Compilations.References);
        return test.RunAsync();
    }

    [Fact]
    public Task MakePartial_FixesTheClassAndItsContainer() => Verify<GraphDeclarationAnalyzer, MakePartialCodeFixProvider>(
        /* lang=c# */ """
        using AgentDsl;
        public class Outer
        {
            [AgentGraph] public class {|ADSL0300:G|}
            {
                [Flow] public int Run(int x) => Inc(x);
                [Operator] public int Inc(int x) => x + 1;
            }
        }
        """,
        /* lang=c# */ """
        using AgentDsl;
        public partial class Outer
        {
            [AgentGraph] public partial class G
            {
                [Flow] public int Run(int x) => Inc(x);
                [Operator] public int Inc(int x) => x + 1;
            }
        }
        """);

    [Fact]
    public Task RemoveUnusedCall_DropsTheStatement() => Verify<FlowAnalyzer, RemoveUnusedCallCodeFixProvider>(
        /* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public partial class G
        {
            [Flow]
            public int Run(int x)
            {
                var {|ADSL0005:unused = Dec(x)|};
                return Inc(x);
            }

            [Operator] public int Inc(int x) => x + 1;
            [Operator] public int Dec(int x) => x - 1;
        }
        """,
        /* lang=c# */ """
        using AgentDsl;
        [AgentGraph] public partial class G
        {
            [Flow]
            public int Run(int x)
            {
                return Inc(x);
            }

            [Operator] public int Inc(int x) => x + 1;
            [Operator] public int {|ADSL0006:Dec|}(int x) => x - 1;
        }
        """);

    [Fact]
    public async Task AddOperator_MarksTheCalledMethod_AndTheFlowErrorGoesAway()
    {
        // ADSL0003 comes from FlowAnalyzer: run it, apply the fix, run it again.
        const string source = """
            using AgentDsl;
            [AgentGraph] public partial class G
            {
                [Flow] public int Run(int x) => Helper(x);

                public int Helper(int x) => x * 2;
            }
            """;
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("p", LanguageNames.CSharp)
            .WithMetadataReferences(Compilations.References)
            .WithParseOptions(Compilations.ParseOptions)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var document = project.AddDocument("G.cs", SourceText.From(source));

        var diagnostic = Assert.Single(await FlowDiagnostics(document.Project), d => d.Id == "ADSL0003");
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None);
        await new AddOperatorAttributeCodeFixProvider().RegisterCodeFixesAsync(context);
        var action = Assert.Single(actions);
        Assert.Equal("Mark 'Helper' as an [Operator]", action.Title);

        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution.GetDocument(document.Id)!;
        string text = (await changed.GetTextAsync()).ToString();
        Assert.Contains("[Operator]\n    public int Helper(int x)", text.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(await FlowDiagnostics(changed.Project), d => d.Id == "ADSL0003");
    }

    private static async Task<IReadOnlyList<Diagnostic>> FlowDiagnostics(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        return await compilation.WithAnalyzers([new FlowAnalyzer()]).GetAnalyzerDiagnosticsAsync();
    }
}
