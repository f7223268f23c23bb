using System.Reflection;
using Xunit;

namespace AgentDsl.OpenCL.Tests;

/// <summary>The OpenCL backend builds on the core abstractions only: no runtime, planner, resilience or AI packages.</summary>
public class DependencyTests
{
    [Fact]
    public void TheBackend_ReferencesTheCoreAndTheHostingAbstractions_NotTheRuntime()
    {
        var references = typeof(OpenClDevice).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("AgentDsl", references);
        Assert.Contains("AgentDsl.Hosting.Abstractions", references);
        Assert.DoesNotContain(references, r =>
            r is "AgentDsl.Runtime" or "AgentDsl.Planning"
            || r.StartsWith("Polly", StringComparison.Ordinal)
            || r.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal)
            || r.StartsWith("Microsoft.Extensions.Resilience", StringComparison.Ordinal));
    }
}
