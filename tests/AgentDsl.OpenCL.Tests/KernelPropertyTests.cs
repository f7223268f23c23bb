extern alias generators;

using System.Reflection;
using System.Runtime.Loader;
using AgentDsl.Kernels;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;
using KernelGenerator = generators::AgentDsl.Generators.KernelGenerator;

namespace AgentDsl.OpenCL.Tests;

/// <summary>
/// Property test: random expressions of the kernel language are compiled by the real generator
/// (Roslyn, in memory), then run on OpenCL and as managed code; the results must agree exactly.
/// The float expressions use only correctly rounded operations, so bit-exact agreement is required.
/// </summary>
[Collection(OpenClCollection.Name)]
public class KernelPropertyTests(OpenClFixture cl, ITestOutputHelper output)
{
    private const int ExpressionsPerKernel = 12;
    private const int WorkItems = 64;

    private static readonly Gen<string> IntLeaf = Freq(
        (6, Gen.OneOf("a", "b", "c")),
        (3, Gen.Int[-100, 100].Select(v => v < 0 ? "(" + v + ")" : v.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("int.MaxValue", "int.MinValue", "0x7FFF", "(-1)")));

    private static readonly Gen<string> FloatLeaf = Freq(
        (6, Gen.OneOf("x", "y")),
        (3, Gen.Int[-1000, 1000].Select(v => "(" + (v / 8f).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f)")),
        // No "-0f" constant: .NET 10's JIT folds Math.Min(y, -0f) to +0 for y = +0 (a runtime -0 is handled right),
        // so the managed reference itself would disagree with .NET's documented semantics. Inputs still contain -0.
        (1, Gen.OneOf("0f", "float.MaxValue", "float.Epsilon", "float.NaN", "float.PositiveInfinity")));

    private static Gen<string> IntExpr(int depth)
    {
        if (depth == 0)
        {
            return IntLeaf;
        }

        var sub = IntExpr(depth - 1);
        var binary = Gen.Select(sub, sub, Gen.OneOf("+", "-", "*", "&", "|", "^", "<<", ">>", ">>>"), (l, r, op) => "(" + l + " " + op + " " + r + ")");
        var division = Gen.Select(sub, sub, Gen.OneOf("SafeDiv", "SafeRem"), (l, r, f) => f + "(" + l + ", " + r + ")");
        var unary = Gen.Select(sub, Gen.OneOf("-", "~", "+"), (e, op) => "(" + op + e + ")");
        var choice = Gen.Select(sub, sub, sub, sub, Gen.OneOf("<", "<=", ">", ">=", "==", "!="), (l, r, t, f, op) => "(" + l + " " + op + " " + r + " ? " + t + " : " + f + ")");
        var fromFloat = FloatExpr(depth - 1).Select(f => "((int)" + f + ")");
        var viaLong = Gen.Select(sub, sub, (l, r) => "((int)(((long)" + l + " * " + r + ") >> 7))");
        var viaUInt = Gen.Select(sub, sub, (l, r) => "((int)((uint)" + l + " / ((uint)" + r + " | 1u)))");
        return Freq((2, IntLeaf), (6, binary), (1, division), (1, unary), (1, choice), (1, fromFloat), (1, viaLong), (1, viaUInt));
    }

    private static Gen<string> FloatExpr(int depth)
    {
        if (depth == 0)
        {
            return FloatLeaf;
        }

        var sub = FloatExpr(depth - 1);
        var binary = Gen.Select(sub, sub, Gen.OneOf("+", "-", "*", "/"), (l, r, op) => "(" + l + " " + op + " " + r + ")");
        var function = Gen.Select(sub, sub, Gen.OneOf("Math.Min", "Math.Max"), (l, r, f) => f + "(" + l + ", " + r + ")");
        var unary = Gen.Select(sub, Gen.OneOf("MathF.Abs", "MathF.Floor", "MathF.Ceiling", "MathF.Truncate", "MathF.Round", "-"), (e, f) => f == "-" ? "(-" + e + ")" : f + "(" + e + ")");
        var root = sub.Select(e => "MathF.Sqrt(MathF.Abs(" + e + "))");
        var choice = Gen.Select(sub, sub, sub, sub, Gen.OneOf("<", ">", "=="), (l, r, t, f, op) => "(" + l + " " + op + " " + r + " ? " + t + " : " + f + ")");
        var fromInt = IntLeaf.Select(i => "((float)" + i + ")");
        return Freq((2, FloatLeaf), (6, binary), (1, function), (1, unary), (1, root), (1, choice), (1, fromInt));
    }

    private static Gen<string> Freq(params (int Weight, Gen<string> Gen)[] choices) =>
        Gen.Frequency([.. choices.Select(c => (c.Weight, (IGen<string>)c.Gen))]);

    [Fact]
    public void RandomExpressions_AgreeOnOpenClAndManaged()
    {
        var gen = Gen.Select(IntExpr(3).Array[ExpressionsPerKernel], FloatExpr(3).Array[ExpressionsPerKernel], Gen.Int, (ints, floats, seed) => (ints, floats, seed));
        gen.Sample(
            sample => RunBoth(sample.ints, sample.floats, sample.seed),
            writeLine: output.WriteLine,
            iter: 8,
            threads: 1,
            print: sample => "int expressions:\n  " + string.Join("\n  ", sample.ints) + "\nfloat expressions:\n  " + string.Join("\n  ", sample.floats) + "\ninput seed: " + sample.seed);
    }

    [Fact]
    public void ThePropertyCanFail_WhenTheTwoSidesDisagree()
    {
        // Guard against a vacuous property: a kernel whose OpenCL and managed results differ must be caught.
        var definition = Compile(["a"], ["x"]);
        var tampered = new KernelDefinition(definition.Name, definition.EntryPoint, definition.Source.Replace("RI[", "RI[0 * ", StringComparison.Ordinal),
            definition.Dimensions, definition.Parameters, definition.Requirements, definition.Managed);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Execute(tampered, seed: 1));
    }

    private void RunBoth(string[] ints, string[] floats, int seed) => Execute(Compile(ints, floats), seed);

    private void Execute(KernelDefinition definition, int seed)
    {
        var rng = new Random(seed);
        int[] Ints() => [.. Enumerable.Range(0, WorkItems).Select(k => k % 5 == 0 ? rng.Next(-40, 40) : (int)rng.NextInt64(int.MinValue, (long)int.MaxValue + 1))];
        float[] Floats() => [.. Enumerable.Range(0, WorkItems).Select(k => k % 11 == 3 ? new[] { 0f, -0f, float.NaN, float.NegativeInfinity, 1e-42f }[rng.Next(5)] : (float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-3, 6))))];
        var a = Ints();
        var b = Ints();
        var c = Ints();
        var x = Floats();
        var y = Floats();

        (int[] RI, float[] RF) Run(IKernelDevice device)
        {
            var ri = new int[WorkItems * ExpressionsPerKernel];
            var rf = new float[WorkItems * ExpressionsPerKernel];
            var launch = new KernelLaunch(definition, WorkItems, null,
            [
                KernelArgument.Of(new KernelBuffer<int>(a)), KernelArgument.Of(new KernelBuffer<int>(b)), KernelArgument.Of(new KernelBuffer<int>(c)),
                KernelArgument.Of(new KernelBuffer<float>(x)), KernelArgument.Of(new KernelBuffer<float>(y)),
                KernelArgument.Of(new KernelBuffer<int>(ri, syncAfterLaunch: true)), KernelArgument.Of(new KernelBuffer<float>(rf, syncAfterLaunch: true)),
            ]);
            device.LaunchAsync(launch).AsTask().GetAwaiter().GetResult();
            return (ri, rf);
        }

        var managed = Run(ManagedKernelDevice.Instance);
        var opencl = Run(cl.Device);
        Compare.Exact(managed.RI, opencl.RI, "int results");
        Compare.Exact(managed.RF, opencl.RF, "float results");
    }

    private static KernelDefinition Compile(string[] ints, string[] floats)
    {
        var body = new System.Text.StringBuilder();
        for (int k = 0; k < ints.Length; k++)
        {
            body.Append("        RI[(i * ").Append(ExpressionsPerKernel).Append(") + ").Append(k).Append("] = unchecked(").Append(ints[k]).Append(");\n");
        }

        for (int k = 0; k < floats.Length; k++)
        {
            body.Append("        RF[(i * ").Append(ExpressionsPerKernel).Append(") + ").Append(k).Append("] = ").Append(floats[k]).Append(";\n");
        }

        string source = $$"""
            using System;
            using AgentDsl;

            public static partial class Prop
            {
                [KernelHelper] public static int SafeDiv(int x, int y) => y == 0 || y == -1 ? x : x / y;
                [KernelHelper] public static int SafeRem(int x, int y) => y == 0 || y == -1 ? 0 : x % y;

                [Kernel]
                public static void K(int i, ReadOnlySpan<int> A, ReadOnlySpan<int> B, ReadOnlySpan<int> C, ReadOnlySpan<float> X, ReadOnlySpan<float> Y, Span<int> RI, Span<float> RF)
                {
                    int a = A[i], b = B[i], c = C[i];
                    float x = X[i], y = Y[i];
            {{body}}
                }
            }
            """;

        var compilation = CSharpCompilation.Create(
            "Prop" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(KernelDefinition).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
        CSharpGeneratorDriver.Create(new KernelGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var errors = diagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + source);

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        var assembly = new AssemblyLoadContext("prop", isCollectible: true).LoadFromStream(stream);
        return (KernelDefinition)assembly.GetType("Prop+Kernels+K", throwOnError: true)!.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }
}
