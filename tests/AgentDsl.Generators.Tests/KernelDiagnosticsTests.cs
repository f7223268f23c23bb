using AgentDsl.Generators.Tests.Helpers;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Generators.Tests;

/// <summary>Each kernel-language error at its construct (span asserted), with a no-diagnostic case.</summary>
public class KernelDiagnosticsTests
{
    private static string Kernel(string body, string parameters = "int i, ReadOnlySpan<float> x, Span<float> y", string extra = "") => $$"""
        using System;
        using AgentDsl;
        using AgentDsl.Kernels;

        public static partial class K
        {
            private static int s_counter;

            [Kernel]
            public static void Run({{parameters}})
            {
        {{body}}
            }

            public static float NotAHelper(float v) => v;
        {{extra}}
        }
        """;

    [Fact]
    public Task ValidKernel_HasNoDiagnostics() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel("""
                float v = x[i];
                for (int k = 0; k < 3; k++) { v = v * 2f + MathF.Sqrt(MathF.Abs(v)); }
                y[i] = i < y.Length ? v : 0f;
        """));

    public static TheoryData<string> UnsupportedConstructs => new()
    {
        """
                {|ADSL0101:foreach (var v in x) { y[i] += v; }|}
        """,
        """
                {|ADSL0101:switch (i) { default: y[i] = 1f; break; }|}
        """,
        """
                {|ADSL0101:try { y[i] = x[i]; } finally { }|}
        """,
        """
                if (i < 0) {|ADSL0101:throw new InvalidOperationException();|}
        """,
        """
                y[i] = {|ADSL0101:s_counter|};
        """,
        """
                y[i] = x[i] + {|ADSL0101:new float[4].Length|};
        """,
        """
                y[i] = {|ADSL0101:i switch { 0 => 1f, _ => 2f }|};
        """,
        """
                y[i] = checked({|ADSL0101:i * 2|});
        """,
    };

    [Theory]
    [MemberData(nameof(UnsupportedConstructs))]
    public Task UnsupportedConstruct_IsReportedAtIt(string body) =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel(body));

    [Fact]
    public Task ADSL0100_InvalidSignature() =>
        AgentDslVerifier.VerifyKernelErrorsAsync("""
            using System;
            using AgentDsl;

            public static partial class K
            {
                [Kernel] public static {|ADSL0100:int|} Returns(int i, Span<float> y) => 0;
                [Kernel] public static void Strings(int i, string {|ADSL0100:s|}) { }
                [Kernel] public static void Index(long {|ADSL0100:i|}, Span<float> y) { }
                [Kernel] public static void Bytes(int i, Span<byte> {|ADSL0100:b|}) { }
                [Kernel(Dimensions = 4)] public static void {|ADSL0100:TooMany|}(int a, int b, int c, int d) { }
            }
            """);

    [Fact]
    public Task ADSL0100_InstanceKernel() =>
        AgentDslVerifier.VerifyKernelErrorsAsync("""
            using System;
            using AgentDsl;

            public partial class K
            {
                [Kernel] public void {|ADSL0100:Instance|}(int i, Span<float> y) { }
            }
            """);

    [Fact]
    public Task ADSL0102_CallToAPlainMethod() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel("""
                y[i] = {|ADSL0102:NotAHelper(x[i])|};
        """));

    [Fact]
    public Task ADSL0102_UnmappedMathFunction() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel("""
                y[i] = {|ADSL0102:MathF.BitIncrement(x[i])|};
        """));

    [Fact]
    public Task ADSL0103_LocalMemoryWithAVariableLength() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel("""
                Span<float> {|ADSL0103:tile = Group.Local<float>(i)|};
                y[i] = 0f;
        """));

    [Fact]
    public Task ADSL0103_LocalMemoryInANestedBlock() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel("""
                if (i == 0)
                {
                    Span<float> {|ADSL0103:tile = Group.Local<float>(16)|};
                }
        """));

    [Fact]
    public Task ADSL0104_RecursiveHelper() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel(
            """
                    y[i] = Fact(3);
            """,
            extra: """
                [KernelHelper] public static float Fact(int n) => n <= 1 ? 1f : n * {|ADSL0104:Fact(n - 1)|};
            """));

    [Fact]
    public Task ADSL0105_TypeNotPartial() =>
        AgentDslVerifier.VerifyKernelErrorsAsync("""
            using System;
            using AgentDsl;

            public static class K
            {
                [Kernel] public static void {|ADSL0105:Fill|}(int i, Span<float> y) => y[i] = 1f;
            }
            """);

    [Fact]
    public Task ADSL0106_UnsupportedLocalType() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel("""
                decimal {|ADSL0106:d|} = {|ADSL0101:1m|};
                y[i] = 0f;
        """));

    [Fact]
    public Task SeveralErrors_AreAllReported() =>
        AgentDslVerifier.VerifyKernelErrorsAsync(Kernel("""
                {|ADSL0101:foreach (var v in x) { }|}
                y[i] = {|ADSL0102:NotAHelper(1f)|} + {|ADSL0101:s_counter|};
        """));
}
