using AgentDsl.Generators.Tests.Helpers;
using AgentDsl.Testing;
using Xunit;

namespace AgentDsl.Generators.Tests;

/// <summary>The generated typed <c>RunAsync</c> binds wherever the runner is used, without the graph's namespace imported.</summary>
public class RunnerExtensionScopeTests
{
    [Fact]
    public void RunAsync_Binds_WithoutTheGraphsNamespaceImported_AlsoNextToIHostsRunAsync()
    {
        // Before: the extension class lived in My.Agents, so this call (no `using My.Agents;`) did not bind; with
        // Microsoft.Extensions.Hosting imported the error named IHost.RunAsync instead of the missing import.
        var result = GeneratorHarness.Run(Compilations.Create(
            ("Agents.cs", """
                using System.Threading.Tasks;
                using AgentDsl;
                namespace My.Agents
                {
                    [AgentGraph]
                    public partial class Echo
                    {
                        [Flow] public Task<string> Run(string s) => Shout(s);
                        [Operator] public Task<string> Shout(string s) => Task.FromResult(s + "!");
                    }
                }
                namespace Other.Agents
                {
                    [AgentGraph]
                    public partial class Echo
                    {
                        [Flow] public Task<int> Run(int n) => Twice(n);
                        [Operator] public Task<int> Twice(int n) => Task.FromResult(2 * n);
                    }
                }
                """),
            ("Caller.cs", """
                using System.Threading.Tasks;
                using AgentDsl.Execution;
                namespace Somewhere.Else
                {
                    public static class Caller
                    {
                        public static async Task<string> Call(IAgentRunner<My.Agents.Echo> a, IAgentRunner<Other.Agents.Echo> b)
                        {
                            var first = await a.RunAsync("hi");
                            var second = await b.RunAsync(21);
                            return first.Output + second.Output;
                        }
                    }
                }
                """)));

        Assert.Contains(result.Run.GeneratedSources, s => s.SourceText.ToString().Contains("static partial class My_Agents_EchoRunnerExtensions", StringComparison.Ordinal));
        Assert.Contains(result.Run.GeneratedSources, s => s.SourceText.ToString().Contains("static partial class Other_Agents_EchoRunnerExtensions", StringComparison.Ordinal));
    }
}
