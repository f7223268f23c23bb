using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Generators.Tests.Helpers;

/// <summary>
/// Runs the generator the way the compiler does, and on every run proves caching: a second run on a
/// clone of the compilation leaves every tracked step Cached or Unchanged and every output Cached,
/// and no step output holds a symbol, syntax node, compilation or location.
/// </summary>
internal static class GeneratorHarness
{
    public sealed record Result(GeneratorRunResult Run, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriver Driver, Compilation Input);

    public static GeneratorDriver CreateDriver(IIncrementalGenerator? generator = null) =>
        CSharpGeneratorDriver.Create(
            [(generator ?? new FlowGraphGenerator()).AsSourceGenerator()],
            parseOptions: Compilations.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on <paramref name="compilation"/>; requires an output without errors unless <paramref name="allowErrors"/>.</summary>
    public static Result Run(Compilation compilation, bool allowErrors = false, IIncrementalGenerator? generator = null)
    {
        var driver = CreateDriver(generator).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var run = driver.GetRunResult().Results.Single();
        if (!allowErrors)
        {
            var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, "The output compilation has errors:\n" + string.Join("\n", errors));
            Assert.Empty(diagnostics);
        }

        AssertNoForbiddenObjects(run);
        AssertCachedOnRerun(driver, compilation);
        return new Result(run, output, diagnostics, driver, compilation);
    }

    public static Result Run(string source, bool allowErrors = false, IIncrementalGenerator? generator = null) => Run(Compilations.Create(source), allowErrors, generator);

    /// <summary>Re-runs <paramref name="driver"/> on a clone: every tracked step must be Cached or Unchanged, every output Cached.</summary>
    public static void AssertCachedOnRerun(GeneratorDriver driver, Compilation compilation)
    {
        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
        foreach (string name in TrackingStepNames())
        {
            if (!second.TrackedSteps.TryGetValue(name, out var steps))
            {
                continue; // A step with no input (no [AgentGraph] class) does not run.
            }

            foreach (var step in steps)
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Step '{name}' was {reason} on an identical re-run.");
                }
            }
        }

        foreach (var (_, steps) in second.TrackedOutputSteps)
        {
            foreach (var step in steps)
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.Equal(IncrementalStepRunReason.Cached, reason);
                }
            }
        }
    }

    /// <summary>The reasons each named step reported for its outputs.</summary>
    public static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRunResult run, string stepName) =>
        run.TrackedSteps.TryGetValue(stepName, out var steps)
            ? [.. steps.SelectMany(s => s.Outputs).Select(o => o.Reason)]
            : [];

    public static IEnumerable<string> TrackingStepNames() =>
        new[] { typeof(TrackingNames), typeof(KernelGenerator.Steps) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!);

    private static void AssertNoForbiddenObjects(GeneratorRunResult run)
    {
        // Only our own named steps: Roslyn's internal ForAttributeWithMetadataName steps hold syntax by design.
        foreach (var (name, steps) in run.TrackedSteps.Where(s => TrackingStepNames().Contains(s.Key)))
        {
            foreach (var step in steps)
            {
                foreach (var (value, _) in step.Outputs)
                {
                    Walk(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance), depth: 0);
                }
            }
        }
    }

    private static void Walk(object? value, string path, HashSet<object> seen, int depth)
    {
        if (value is null || depth > 20 || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        Assert.False(
            value is Compilation or SemanticModel or ISymbol or SyntaxNode or Location or SyntaxTree or AttributeData,
            $"Step output at '{path}' holds a {value.GetType().Name}: models must be value-only.");

        if (!value.GetType().IsValueType && !seen.Add(value))
        {
            return;
        }

        if (value is DiagnosticDescriptor)
        {
            return; // Immutable, value-equatable, and has no link to a compilation.
        }

        if (value is IEnumerable items && !(value.GetType().IsGenericType && value.GetType().GetGenericTypeDefinition() == typeof(ImmutableArray<>) && (bool)value.GetType().GetProperty("IsDefault")!.GetValue(value)!))
        {
            int i = 0;
            foreach (var item in items)
            {
                Walk(item, $"{path}[{i++}]", seen, depth + 1);
            }
        }

        for (var type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(value), $"{path}.{field.Name}", seen, depth + 1);
            }
        }
    }
}
