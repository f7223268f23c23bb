using System.Text.RegularExpressions;
using AgentDsl.Analyzers;
using AgentDsl.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AgentDsl.Analyzers.Tests;

/// <summary>ADSL0007: a mutable collection that reaches two operators the graph may run at the same time.</summary>
public partial class SharedMutableValueAnalyzerTests
{
    /// <summary>
    /// Checks the analyzer's diagnostics (markup), and that the flow lowers without an error (FlowAnalyzer reports none), so a
    /// "no ADSL0007" case is not one the analyzer skipped because the flow did not lower.
    /// </summary>
    private static async Task Verify(string source)
    {
        await AgentDslVerifier.VerifyAnalyzerAsync<SharedMutableValueAnalyzer>(source);
        await AgentDslVerifier.VerifyFlowErrorsAsync(Markup().Replace(source, "$1")); // the flow lowers with no error
    }

    private static string Graph(string flow, string parameters = "string q, CancellationToken ct") => $$"""
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentDsl;

        [AgentGraph]
        public partial class G
        {
            [Flow]
            public async Task<string> Run({{parameters}})
            {
        {{flow}}
            }

            [Operator] public List<int> Make(string s) => new List<int> { 1, 2, 3 };
            [Operator] public List<int> Other(string s) => new List<int> { 4 };
            [Operator] public ImmutableArray<int> Frozen(string s) => ImmutableArray.Create(1, 2, 3);
            [Operator] public Task<int> Clear(List<int> items, CancellationToken ct) { int n = items.Count; items.Clear(); return Task.FromResult(n); }
            [Operator] public int Count(IReadOnlyList<int> items) => items.Count;
            [Operator] public int Sum(IEnumerable<int> items) => items.Sum();
            [Operator] public int Add(List<int> items, int n) { items.Add(n); return items.Count; }
            [Operator] public int Append(IList<int> items, int n) { items.Add(n); return items.Count; }
            [Operator] public int Twice(int x) => 2 * x;
            [Operator] public int Tag(string word, List<int> seen) { seen.Add(word.Length); return seen.Count; }
            [Operator] public List<int>[] Groups(string s) => new[] { new List<int>(), new List<int>() };
            [Operator] public int Grow(List<int> group) { group.Add(1); return group.Count; }
            [Operator] public string[] Words(string s) => s.Split(' ');
            [Operator] public bool Flag(string s) => s.Length > 3;
            [Operator] public string Show(int a, int b) => a + " " + b;
        }
        """;

    [Fact]
    public Task ListCleared_WhileAnotherOperatorCountsIt_Warns() => Verify(Graph("""
                var items = Make(q);
                var removed = await Clear(items, ct);
                var n = Count({|ADSL0007:items|});
                return Show(removed, n);
        """));

    [Fact]
    public Task TwoConcurrentOperators_ThatBothChangeTheList_Warn() => Verify(Graph("""
                var items = Make(q);
                var a = Add(items, 1);
                var b = Add({|ADSL0007:items|}, 2);
                return Show(a, b);
        """));

    [Fact]
    public Task ReadOnlyConsumers_DoNotWarn() => Verify(Graph("""
                var items = Make(q);
                var n = Count(items);
                var s = Sum(items);
                return Show(n, s);
        """));

    [Fact]
    public Task ImmutableArray_PassedAsIList_DoesNotWarn() => Verify(Graph("""
                var items = Frozen(q);
                var n = Count(items);
                var a = Append(items, 4);
                return Show(n, a);
        """));

    [Fact]
    public Task IList_Parameter_CanChangeTheList_Warns() => Verify(Graph("""
                var items = Make(q);
                var n = Count(items);
                var a = Append({|ADSL0007:items|}, 4);
                return Show(n, a);
        """));

    [Fact]
    public Task OrderedConsumers_DoNotWarn() => Verify(Graph("""
                var items = Make(q);
                var n = Count(items);
                var a = Add(items, n);
                var b = Add(items, a);
                return Show(a, b);
        """));

    [Fact]
    public Task ConsumersInTheTwoArmsOfAnIf_NeverRunTogether_DoNotWarn() => Verify(Graph("""
                var items = Make(q);
                if (Flag(q)) { return Show(Add(items, 1), 0); }
                return Show(Count(items), 0);
        """));

    [Fact]
    public Task FlowParameter_SharedByTwoConcurrentChangingOperators_Warns() => Verify(Graph(
        """
                var a = Add(items, 1);
                var b = Add({|ADSL0007:items|}, 2);
                return Show(a, b);
        """,
        "List<int> items, CancellationToken ct"));

    [Fact]
    public Task FanOut_OverAListAnotherOperatorChanges_Warns() => Verify(Graph("""
                var items = Make(q);
                var added = Add(items, 4);
                var doubled = {|ADSL0007:items|}.Select(x => Twice(x)).ToArray();
                return Show(added, Count(doubled));
        """));

    [Fact]
    public Task FanOut_PassingOneListToEveryCall_Warns() => Verify(Graph("""
                var seen = Make(q);
                var words = Words(q);
                var tags = words.Select(w => Tag(w, {|ADSL0007:seen|})).ToArray();
                return Show(Count(tags), 0);
        """));

    [Fact]
    public Task ForEach_PassingOneListToEveryCall_Warns() => Verify(Graph("""
                var seen = Make(q);
                var words = Words(q);
                var tags = new List<int>();
                foreach (var w in words) { tags.Add(Tag(w, {|ADSL0007:seen|})); }
                return Show(Count(tags), 0);
        """));

    [Fact]
    public Task FanOut_ChangingEachElement_DoesNotWarn() => Verify(Graph("""
                var groups = Groups(q);
                var sizes = groups.Select(g => Grow(g)).ToArray();
                return Show(Count(sizes), 0);
        """));

    [Fact]
    public Task ThroughAMerge_TheOriginalValueIsStillShared_Warns() => Verify(Graph("""
                var items = Make(q);
                var n = Count(items);
                if (Flag(q)) { items = Other(q); }
                var a = Add({|ADSL0007:items|}, 1);
                return Show(n, a);
        """));

    [Fact]
    public Task UnrolledLoop_IterationsThatDoNotWaitForEachOther_Warn() => Verify(Graph("""
                var items = Make(q);
                var n = Twice(1);
                for (int i = 0; i < 2; i++) { n = Add({|ADSL0007:items|}, 1); }
                return Show(n, 0);
        """));

    [Fact]
    public Task UnrolledLoop_IterationsChainedThroughTheData_DoNotWarn() => Verify(Graph("""
                var items = Make(q);
                var n = Twice(1);
                for (int i = 0; i < 2; i++) { n = Add(items, n); }
                return Show(n, 0);
        """));

    [Theory]
    [InlineData("List<int>", "new()", true)]
    [InlineData("int[]", "new int[1]", true)]
    [InlineData("Dictionary<string, int>", "new()", true)]
    [InlineData("HashSet<int>", "new()", true)]
    [InlineData("ISet<int>", "new HashSet<int>()", true)]
    [InlineData("System.Text.StringBuilder", "new()", true)]
    [InlineData("System.Memory<byte>", "new byte[1]", true)]
    [InlineData("IEnumerable<int>", "new int[1]", false)]
    [InlineData("IReadOnlyDictionary<string, int>", "new Dictionary<string, int>()", false)]
    [InlineData("ImmutableList<int>", "ImmutableList<int>.Empty", false)]
    [InlineData("System.Collections.ObjectModel.ReadOnlyCollection<int>", "new(new int[1])", false)]
    [InlineData("System.Collections.Frozen.FrozenSet<int>", "System.Collections.Frozen.FrozenSet<int>.Empty", false)]
    [InlineData("string", "\"text\"", false)]
    public Task ParameterType_DecidesWhetherTheOperatorCanChangeTheValue(string type, string value, bool warns) => Verify($$"""
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using AgentDsl;

        [AgentGraph]
        public partial class G
        {
            [Flow]
            public string Run(string q)
            {
                var v = Make(q);
                var a = Use(v);
                var b = Use({{(warns ? "{|ADSL0007:v|}" : "v")}});
                return Show(a, b);
            }

            [Operator] public {{type}} Make(string s) => {{value}};
            [Operator] public int Use({{type}} v) => 1;
            [Operator] public string Show(int a, int b) => a + " " + b;
        }
        """);

    [Fact]
    public async Task Message_NamesTheValue_BothOperators_AndTheFix()
    {
        var compilation = Compilations.Create(Graph("""
                    var items = Make(q);
                    var removed = await Clear(items, ct);
                    var n = Count(items);
                    return Show(removed, n);
            """));

        var diagnostics = await compilation.WithAnalyzers([new SharedMutableValueAnalyzer()]).GetAnalyzerDiagnosticsAsync();

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(
            "'items' is shared by 'Clear' and 'Count', which may run at the same time, and 'Clear' can change it through its parameter 'items' of type 'List<int>'; "
            + "make 'Clear' take a read-only type (IReadOnlyList<T>, IReadOnlyDictionary<TKey, TValue>, ImmutableArray<T>) or copy the value inside the operator",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"\{\|ADSL0007:(.*?)\|\}")]
    private static partial Regex Markup();
}
