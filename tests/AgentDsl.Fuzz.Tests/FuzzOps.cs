using System.Collections.Concurrent;

namespace AgentDsl.Fuzz.Tests;

/// <summary>
/// The operators of the fuzzed graphs: deterministic, total functions whose results depend on every input (so a
/// lost or wrong merge changes the result), each recording its call with its arguments. Graphs compiled by the
/// fuzzer reference this assembly and forward to these methods.
/// </summary>
public static class FuzzOps
{
    /// <summary>Every operator call since the last <see cref="TakeLog"/>, as <c>Name(arg, …)</c>.</summary>
    private static readonly ConcurrentQueue<string> Log = new();

    public static string[] TakeLog()
    {
        var calls = new List<string>();
        while (Log.TryDequeue(out var call))
        {
            calls.Add(call);
        }

        calls.Sort(StringComparer.Ordinal);
        return [.. calls];
    }

    private static void Record(string name, params object?[] args) => Log.Enqueue(name + "(" + string.Join(", ", args.Select(FlowFuzzer.Render)) + ")");

    private static uint Hash(string? s)
    {
        uint h = 2166136261;
        foreach (char c in s ?? "\0null")
        {
            h = (h ^ c) * 16777619;
        }

        return h;
    }

    private static string Short(string s) => "h" + (Hash(s) % 46_656).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    public static string Up(string a) { Record(nameof(Up), a); return Short("up" + a); }

    public static string Cat(string a, string b) { Record(nameof(Cat), a, b); return Short(a + "|" + b); }

    public static string Tag(string a, int k) { Record(nameof(Tag), a, k); return Short(a + "#" + k); }

    public static string Str(int x) { Record(nameof(Str), x); return "i" + x; }

    public static int Len(string a) { Record(nameof(Len), a); return (int)(Hash(a) % 7); }

    public static int Add(int x, int y) { Record(nameof(Add), x, y); return ((x + y) % 97 + 97) % 97; }

    public static int Start(string a) { Record(nameof(Start), a); return (int)(Hash(a) % 3); }

    public static int Step(int c, string a) { Record(nameof(Step), c, a); return c + 1 + (int)(Hash(a) % 2); }

    public static int Bucket(string a) { Record(nameof(Bucket), a); return (int)(Hash("b" + a) % 3); }

    public static bool P(string a) { Record(nameof(P), a); return Hash("p" + a) % 2 == 0; }

    public static bool Q(int x) { Record(nameof(Q), x); return x % 3 != 0; }

    public static bool Below(int c, int k) { Record(nameof(Below), c, k); return c < k; }

    public static void Audit(string a) => Record(nameof(Audit), a);

    public static string[] Split(string a)
    {
        Record(nameof(Split), a);
        int n = (int)(Hash("s" + a) % 4);
        return [.. Enumerable.Range(0, n).Select(i => Short(a + "/" + i))];
    }

    public static string Join(IReadOnlyList<string> xs) { Record(nameof(Join), xs); return Short(string.Join(",", xs)); }

    public static async Task<string> AUp(string a, CancellationToken ct)
    {
        Record(nameof(AUp), a); // At the call: a direct flow may return before a task local it never awaited finishes.
        await Task.Yield();
        return Short("aup" + a);
    }

    public static Task<string> ACat(string a, string b, CancellationToken ct) { Record(nameof(ACat), a, b); return Task.FromResult(Short("ac" + a + "|" + b)); }

    public static Task<bool> AP(string a, CancellationToken ct) { Record(nameof(AP), a); return Task.FromResult(Hash("ap" + a) % 2 == 1); }

    public static Task AAudit(string a, CancellationToken ct) { Record(nameof(AAudit), a); return Task.CompletedTask; }
}
