using AgentDsl.Analyzers;
using Xunit;
using AgentDsl.Testing;

namespace AgentDsl.Analyzers.Tests;

public class PlacementAnalyzerTests
{
    private const string Profile = "agentdsl.hardware.json";

    private static Task Verify(string source, string profile) =>
        AgentDslVerifier.VerifyAnalyzerAsync<PlacementAnalyzer>(source, (Profile, profile));

    private const string TwoH100 = """{ "devices": [ { "catalog": "EPYC-9654" }, { "catalog": "H100-SXM", "count": 2 } ] }""";

    private static string Graph(string operators, string flow, double slaMs = 1000) => $$"""
        using System.Threading;
        using System.Threading.Tasks;
        using AgentDsl;

        [AgentGraph(LatencySlaMs = {{slaMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}})]
        public partial class {|#0:Agent|}
        {
            [Flow]
            public string Run(string q)
            {
        {{flow}}
            }

        {{operators}}
        }
        """;

    [Fact]
    public Task WithoutAProfile_NothingIsReported() =>
        AgentDslVerifier.VerifyAnalyzerAsync<PlacementAnalyzer>(Graph(
            "[Operator(MemoryFootprintBytes = 5e14)] public string Huge(string s) => s;",
            "return Huge(q);"));

    [Fact]
    public Task RealisticGraph_OnAFittingProfile_HasNoDiagnostic() => Verify(Graph(
        """
        [Operator(OperatorKind.Compute, Flops = 1e6, BytesMoved = 1e5)] public string Clean(string s) => s;
        [Operator(OperatorKind.Llm, Model = "llama-3-8b", ModelParameters = 8.03e9, Layers = 32, HiddenSize = 4096, Heads = 32, KvHeads = 8,
                  Precision = Precision.Fp16, PromptTokens = 512, OutputTokens = 16)] public string Answer(string s) => s;
        """,
        "return Answer(Clean(q));", slaMs: 250), TwoH100);

    [Fact]
    public Task ADSL0200_FootprintFitsNoDevice() => Verify(Graph(
        "[Operator(MemoryFootprintBytes = 200e9, AllowedDevices = DeviceKinds.Gpu)] public string {|ADSL0200:Big|}(string s) => s;",
        "return Big(q);"), TwoH100);

    [Fact]
    public Task ADSL0200_ModelWeightsAndKvFitNoDevice_WithTheNumbers() => VerifyWithMessage();

    private static Task VerifyWithMessage()
    {
        // 70.6e9 × 2 bytes + KV of 4,608 tokens (327,680 bytes each) = 142.71 GB against an L4's 24 GB.
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<PlacementAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = Graph(
                """
                [Operator(OperatorKind.Llm, Model = "llama-3-70b", ModelParameters = 70.6e9, Layers = 80, HiddenSize = 8192, Heads = 64, KvHeads = 8,
                          Precision = Precision.Fp16, PromptTokens = 4096, OutputTokens = 512, AllowedDevices = DeviceKinds.Gpu)]
                public string {|#1:Answer|}(string s) => s;
                """,
                "return Answer(q);"),
        };
        test.TestState.AdditionalFiles.Add((Profile, """{ "devices": [ { "catalog": "L4", "count": 4 } ] }"""));
        test.ReferenceAssemblies = new Microsoft.CodeAnalysis.Testing.ReferenceAssemblies(string.Empty);
        test.TestState.AdditionalReferences.AddRange(Compilations.References);
        test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult("ADSL0200", Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
            .WithLocation(1).WithArguments("Answer", "142.71", "L4", "24", "118.71"));
        return test.RunAsync();
    }

    [Fact]
    public Task ADSL0201_SlaBelowTheCriticalPathOfTheFastestDevices() => Verify(Graph(
        """
        [Operator(OperatorKind.Model, Flops = 9.894e12)] public string First(string s) => s;
        [Operator(OperatorKind.Model, Flops = 9.894e12)] public string Second(string s) => s;
        """,
        "return Second(First(q));", slaMs: 15).Replace("{|#0:Agent|}", "{|ADSL0201:Agent|}", StringComparison.Ordinal), TwoH100);

    [Fact]
    public Task ADSL0201_CountsTheConditionBeforeAnIfArm() => Verify(Graph(
        """
        [Operator(OperatorKind.Model, Flops = 9.894e12)] public bool Decide(string s) => true;
        [Operator(OperatorKind.Model, Flops = 9.894e12)] public string Second(string s) => s;
        """,
        // Second reads only q, but runs after Decide: the slowest arm's path is Decide → Second (about 20 ms).
        "if (Decide(q)) { return Second(q); } return q;", slaMs: 15).Replace("{|#0:Agent|}", "{|ADSL0201:Agent|}", StringComparison.Ordinal), TwoH100);

    [Fact]
    public Task ADSL0201_BranchesWithinTheSla_AreSilent() => Verify(Graph(
        """
        [Operator(OperatorKind.Model, Flops = 9.894e12)] public bool Decide(string s) => true;
        [Operator(OperatorKind.Model, Flops = 9.894e12)] public string Second(string s) => s;
        """,
        "if (Decide(q)) { return Second(q); } return q;", slaMs: 25), TwoH100);

    [Fact]
    public Task ADSL0202_TinyWorkPinnedToAnAccelerator() => Verify(Graph(
        "[Operator(OperatorKind.Model, Flops = 2e4, BytesMoved = 4e3, AllowedDevices = DeviceKinds.Gpu)] public string {|ADSL0202:Tiny|}(string s) => s;",
        "return Tiny(q);"), TwoH100);

    [Fact]
    public Task ADSL0203_PinnedToAKindTheProfileLacks() => Verify(Graph(
        "[Operator(OperatorKind.Model, AllowedDevices = DeviceKinds.Gpu)] public string {|ADSL0203:Embed|}(string s) => s;",
        "return Embed(q);"), """{ "devices": [ { "catalog": "EPYC-9654", "count": 2 } ] }""");

    [Fact]
    public Task ADSL0204_Fp64KernelOnAProfileWithoutFp64() => Verify("""
        using System;
        using AgentDsl;

        public static partial class K
        {
            [Kernel] public static void {|ADSL0204:Scale|}(int i, Span<double> x, double f) => x[i] *= f;
            [Kernel] public static void Fine(int i, Span<float> x, float f) => x[i] *= f;
        }
        """,
        """
        { "devices": [ { "spec": { "name": "Npu", "kind": "Accelerator", "supportsFp64": false,
            "fp32Tflops": { "value": 10, "source": "lab" }, "fp16Tflops": { "dense": 100, "source": "lab" },
            "memoryGB": { "value": 16, "source": "lab" }, "memoryBandwidthGBs": { "value": 400, "source": "lab" },
            "hostLink": { "bandwidthGBs": 16, "source": "lab" }, "powerW": { "value": 50, "source": "lab" } } } ] }
        """);

    [Fact]
    public Task ADSL0205_UnknownCatalogDevice_IsReportedInTheProfileFile() => Verify(
        Graph("[Operator] public string A(string s) => s;", "return A(q);"),
        """{ "devices": [ { "catalog": {|ADSL0205:"H9000"|} } ] }""");

    [Fact]
    public Task ADSL0205_BadJson_IsReportedAtTheLineAndColumn() => Verify(
        Graph("[Operator] public string A(string s) => s;", "return A(q);"),
        "{ \"devices\": [\n  { \"catalog\": \"H100-SXM\" }\n  {|ADSL0205:{|} \"catalog\": \"L4\" } ] }");

    [Fact]
    public Task ADSL0205_DeeplyNestedProfile_IsReportedNotAStackOverflow() => Verify( // the profile is 3 levels deep where the spec starts: its 62nd bracket is the 65th level
        Graph("[Operator] public string A(string s) => s;", "return A(q);"),
        "{ \"devices\": [ { \"spec\": " + new string('[', 61) + "{|ADSL0205:[|}" + new string('[', 100_000 - 62) + new string(']', 100_000) + " } ] }");

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"None\"")]
    [InlineData("\"Tpu\"")]
    [InlineData("3")]
    public Task ADSL0205_EmptyOrUnknownKind_IsReportedAtTheKind(string kind) => Verify(
        Graph("[Operator] public string A(string s) => s;", "return A(q);"),
        """
        { "devices": [ { "spec": { "name": "Npu", "kind": {|ADSL0205:KIND|},
            "fp32Tflops": { "value": 10, "source": "lab" }, "fp16Tflops": { "dense": 100, "source": "lab" },
            "memoryGB": { "value": 16, "source": "lab" }, "memoryBandwidthGBs": { "value": 400, "source": "lab" },
            "hostLink": { "bandwidthGBs": 16, "source": "lab" } } } ] }
        """.Replace("KIND", kind, StringComparison.Ordinal));
}
