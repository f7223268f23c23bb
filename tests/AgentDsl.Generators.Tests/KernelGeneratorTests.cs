using AgentDsl.Generators.Tests.Helpers;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Generators.Tests;

/// <summary>Generated OpenCL C and launcher code for kernels, against checked-in baselines (cached on re-run).</summary>
public class KernelGeneratorTests
{
    private static readonly KernelGenerator Generator = new();

    [Fact]
    public void DotProductKernel()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System;
            using AgentDsl;

            namespace App;

            public static partial class Search
            {
                [Kernel]
                public static void Dot(int i, ReadOnlySpan<float> corpus, ReadOnlySpan<float> query, Span<float> scores, int dim)
                {
                    if (i >= scores.Length)
                    {
                        return;
                    }

                    float sum = 0f;
                    for (int d = 0; d < dim; d++)
                    {
                        sum += corpus[(i * dim) + d] * query[d];
                    }

                    scores[i] = sum;
                }
            }
            """, generator: Generator);
        Baseline.Verify(result.Run);
    }

    [Fact]
    public void ReductionWithLocalMemoryHelpersAndDoubles()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System;
            using AgentDsl;
            using AgentDsl.Kernels;

            namespace App;

            public partial class Stats
            {
                [KernelHelper]
                public static double Square(double x) => x * x;

                [Kernel]
                public static void SumOfSquares(int i, ReadOnlySpan<double> values, Span<double> partials)
                {
                    Span<double> scratch = Group.Local<double>(128);
                    int lid = Group.LocalId(0);
                    scratch[lid] = i < values.Length ? Square(values[i]) : 0.0;
                    Group.Barrier();
                    for (int stride = Group.LocalSize(0) / 2; stride > 0; stride >>= 1)
                    {
                        if (lid < stride)
                        {
                            scratch[lid] += scratch[lid + stride];
                        }

                        Group.Barrier();
                    }

                    if (lid == 0)
                    {
                        partials[Group.Id(0)] = scratch[0];
                    }
                }
            }
            """, generator: Generator);
        string source = Assert.Single(result.Run.GeneratedSources).SourceText.ToString();
        Assert.Contains("KernelRequirements.Fp64 | global::AgentDsl.Kernels.KernelRequirements.WorkGroups", source, StringComparison.Ordinal);
        Baseline.Verify(result.Run);
    }

    [Fact]
    public void TwoDimensionalKernelWithNameClashesAndCasts()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System;
            using AgentDsl;

            public partial class Outer
            {
                internal static partial class Image
                {
                    [Kernel(Dimensions = 2)]
                    public static void Blend(int y, int x, int width, ReadOnlySpan<float> global, Span<int> local, float half)
                    {
                        int kernel = (y * width) + x;
                        float max = MathF.Max(global[kernel], half);
                        local[kernel] = (int)(max * 255f) >>> 1;
                    }
                }
            }
            """, generator: Generator);
        string source = Assert.Single(result.Run.GeneratedSources).SourceText.ToString();
        Assert.Contains("__global const float* global_", source, StringComparison.Ordinal);
        Assert.Contains("int kernel_ =", source, StringComparison.Ordinal);
        Assert.Contains("convert_int_sat_rtz(", source, StringComparison.Ordinal);
        Baseline.Verify(result.Run);
    }

    [Fact]
    public void UnrelatedEdit_LeavesTheKernelPipelineCached_AndABodyEditRegeneratesIt()
    {
        const string kernel = """
            using System;
            using AgentDsl;

            public static partial class K
            {
                [Kernel] public static void Fill(int i, Span<float> x, float value) => x[i] = value;
            }
            """;
        var compilation = Compilations.Create(("K.cs", kernel), ("Other.cs", "public static class Other { public static int V() => 1; }"));
        var first = GeneratorHarness.Run(compilation, generator: Generator);

        var unrelated = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(t => t.FilePath == "Other.cs"),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("public static class Other { public static int V() => 2; }", Compilations.ParseOptions, "Other.cs"));
        var second = first.Driver.RunGenerators(unrelated).GetRunResult().Results.Single();
        Assert.All(GeneratorHarness.Reasons(second, KernelGenerator.Steps.Transform), r => Assert.True(r is Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached or Microsoft.CodeAnalysis.IncrementalStepRunReason.Unchanged));
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached, o.Reason));

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(t => t.FilePath == "K.cs"),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(kernel.Replace("x[i] = value", "x[i] = value * 2f", StringComparison.Ordinal), Compilations.ParseOptions, "K.cs"));
        var third = first.Driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Contains(Microsoft.CodeAnalysis.IncrementalStepRunReason.Modified, GeneratorHarness.Reasons(third, KernelGenerator.Steps.Output));
        Assert.Contains("x[i] = (value * 2.0f);", third.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PrivateTypeKernel_IsNotRegistered()
    {
        var result = GeneratorHarness.Run(/* lang=c# */ """
            using System;
            using AgentDsl;

            public partial class Host
            {
                private static partial class Hidden
                {
                    [Kernel] public static void Fill(int i, Span<uint> x, uint value) => x[i] = value;
                }
            }
            """, generator: Generator);
        string source = Assert.Single(result.Run.GeneratedSources).SourceText.ToString();
        Assert.DoesNotContain("ModuleInitializer", source, StringComparison.Ordinal);
        Assert.Contains("x[i] = value;", source, StringComparison.Ordinal);
    }
}
