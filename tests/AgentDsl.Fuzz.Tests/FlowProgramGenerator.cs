using System.Globalization;
using System.Text;

namespace AgentDsl.Fuzz.Tests;

/// <summary>One generated graph class: its seed (which regenerates it), its source, and what it was meant to be.</summary>
internal sealed record FlowProgram(int Seed, string ClassName, string Path, string Source, bool IntendedValid, string? Injected, bool Async, (string Q, int N, string[] Items)[] Inputs);

/// <summary>
/// Writes random flow bodies over the documented flow language (docs/dsl.md): operator calls sync and awaited,
/// nested calls, parenthesised and constant arguments, task locals and <c>Task.WhenAll</c>, if/else with early
/// returns, switch (breaking or returning in every section), <c>for</c> with constant bounds, bounded <c>while</c>,
/// <c>break</c>, fan-out (<c>Select</c>, <c>Task.WhenAll</c>, <c>foreach</c> for effects or collecting), a nested graph,
/// reassigned locals, ternary and constant returns. About one program in six also gets one construct outside the
/// language, which must be reported at its location.
/// </summary>
internal sealed class FlowProgramGenerator
{
    /// <summary>Bound of every generated <c>while</c>: Start gives 0–2 and Step adds 1–2, so <c>Below(c, 4)</c> holds at most 4 times.</summary>
    private const int WhileBound = 5;

    private static readonly string[] Queries = ["", "a", "hello", "x y", "zz", "the quick fox"];

    private readonly Random _r;
    private readonly StringBuilder _sb = new();
    private readonly List<List<Local>> _scopes = [];
    private readonly bool _async;
    private readonly bool _void;
    private int _indent = 2;
    private int _names;
    private int _statements;
    private int _loopDepth;
    private int _switchDepth;
    private int _budget;
    private bool _usesWhile;
    private bool _hasConst;
    private int _injectAt = -1;
    private string? _injected;

    private enum Ty
    {
        Str,
        Int,
        Bool,
        Arr,
        List,
        Task,
    }

    private sealed record Local(string Name, Ty Type, bool Reassignable);

    private FlowProgramGenerator(int seed)
    {
        _r = new Random(seed);
        _async = _r.NextDouble() < 0.6;
        _void = _r.NextDouble() < 0.1;
    }

    public static FlowProgram Generate(int seed)
    {
        var g = new FlowProgramGenerator(seed);
        string name = "G" + seed.ToString(CultureInfo.InvariantCulture).Replace('-', 'm');
        return g.Write(seed, name);
    }

    /// <summary>The nested graph every program may call (its own branch and merge included).</summary>
    public const string InnerSource = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentDsl;
        using AgentDsl.Fuzz.Tests;

        namespace Fuzz;

        [AgentGraph]
        public partial class Inner
        {
            [Flow]
            public async Task<string> Sub(string s, CancellationToken ct)
            {
                var a = Up(s);
                if (await AP(a, ct)) { a = await AUp(a, ct); } else { Audit(a); }
                return Cat(a, s);
            }

        """ + Operators + """
        }
        """;

    private const string Operators = """
            [Operator] public static string Up(string a) => FuzzOps.Up(a);
            [Operator] public static string Cat(string a, string b) => FuzzOps.Cat(a, b);
            [Operator] public static string Tag(string a, int k) => FuzzOps.Tag(a, k);
            [Operator] public static string Str(int x) => FuzzOps.Str(x);
            [Operator] public static int Len(string a) => FuzzOps.Len(a);
            [Operator] public static int Add(int x, int y) => FuzzOps.Add(x, y);
            [Operator] public static int Start(string a) => FuzzOps.Start(a);
            [Operator] public static int Step(int c, string a) => FuzzOps.Step(c, a);
            [Operator] public static int Bucket(string a) => FuzzOps.Bucket(a);
            [Operator] public static bool P(string a) => FuzzOps.P(a);
            [Operator] public static bool Q(int x) => FuzzOps.Q(x);
            [Operator] public static bool Below(int c, int k) => FuzzOps.Below(c, k);
            [Operator] public static void Audit(string a) => FuzzOps.Audit(a);
            [Operator] public static string[] Split(string a) => FuzzOps.Split(a);
            [Operator] public static string Join(IReadOnlyList<string> xs) => FuzzOps.Join(xs);
            [Operator(OperatorKind.Tool)] public static Task<string> AUp(string a, CancellationToken ct) => FuzzOps.AUp(a, ct);
            [Operator(OperatorKind.Tool)] public static Task<string> ACat(string a, string b, CancellationToken ct) => FuzzOps.ACat(a, b, ct);
            [Operator(OperatorKind.Tool)] public static Task<bool> AP(string a, CancellationToken ct) => FuzzOps.AP(a, ct);
            [Operator(OperatorKind.Tool)] public static Task AAudit(string a, CancellationToken ct) => FuzzOps.AAudit(a, ct);

        """;

    private FlowProgram Write(int seed, string name)
    {
        _budget = _r.Next(3, 12);
        if (_r.NextDouble() < 0.17)
        {
            _injectAt = _r.Next(0, _budget);
        }

        _scopes.Add([new Local("q", Ty.Str, false), new Local("n", Ty.Int, false), new Local("items", Ty.Arr, false)]);
        if (_r.NextDouble() < 0.15)
        {
            Line("const int K = " + _r.Next(0, 4).ToString(CultureInfo.InvariantCulture) + ";");
            _hasConst = true;
        }

        while (_budget > 0)
        {
            Statement(depth: 0, canReturn: true);
        }

        FlushTasks();
        Terminal();
        string body = _sb.ToString();

        string flowType = _async ? (_void ? "async Task" : "async Task<string>") : (_void ? "void" : "string");
        string parameters = _async ? "string q, int n, string[] items, CancellationToken ct" : "string q, int n, string[] items";
        string attribute = _usesWhile || _r.NextDouble() < 0.1 ? $"[Flow(MaxIterations = {WhileBound})]" : "[Flow]";
        string source = $$"""
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using AgentDsl;
            using AgentDsl.Fuzz.Tests;

            namespace Fuzz;

            [AgentGraph]
            public partial class {{name}}
            {
                private static readonly object Gate = new();
                private readonly Inner _inner = new();

                {{attribute}}
                public {{flowType}} Run({{parameters}})
                {
            {{body}}    }

                public static string Helper(string a) => a;

            {{Operators}}}
            """;
        var inputs = Enumerable.Range(0, 3).Select(_ => (Queries[_r.Next(Queries.Length)], _r.Next(0, 6), Queries.Skip(_r.Next(Queries.Length)).Take(_r.Next(0, 3)).ToArray())).ToArray();
        return new FlowProgram(seed, name, name + ".cs", source, _injected is null, _injected, _async, inputs);
    }

    // ---- statements ----

    private void Statement(int depth, bool canReturn)
    {
        _budget--;
        if (_statements++ == _injectAt && _injected is null)
        {
            Inject();
            return;
        }

        int roll = _r.Next(100);
        bool nest = depth < 3;
        if (roll < 30)
        {
            Declare();
        }
        else if (roll < 44 && Reassignable().Count > 0)
        {
            var l = Pick(Reassignable());
            Line($"{l.Name} = {Call(l.Type, 2, top: true)};");
        }
        else if (roll < 50)
        {
            Line(_async && _r.NextDouble() < 0.4 ? $"await AAudit({Arg(Ty.Str, 2)}, ct);" : $"Audit({Arg(Ty.Str, 2)});");
        }
        else if (roll < 62 && nest)
        {
            If(depth, canReturn && _loopDepth == 0 && _switchDepth == 0 && depth == 0);
        }
        else if (roll < 68 && nest)
        {
            Switch(depth);
        }
        else if (roll < 73 && nest && _loopDepth < 2)
        {
            For(depth);
        }
        else if (roll < 77 && nest && _loopDepth < 1)
        {
            While(depth);
        }
        else if (roll < 85)
        {
            FanOut();
        }
        else if (roll < 90 && _async)
        {
            TaskLocal();
        }
        else if (roll < 95 && _loopDepth > 0 && _switchDepth == 0)
        {
            Line($"if ({Condition()})");
            Open();
            if (_r.NextDouble() < 0.5)
            {
                Line($"Audit({Arg(Ty.Str, 1)});");
            }

            Line("break;");
            Close();
        }
        else
        {
            Declare();
        }
    }

    private void Declare()
    {
        var type = _r.Next(10) switch { < 6 => Ty.Str, < 8 => Ty.Int, _ => Ty.Bool };
        string call = type == Ty.Str && _async && _r.NextDouble() < 0.12
            ? $"await _inner.Sub({Arg(Ty.Str, 1)}, ct)"
            : Call(type, 2, top: true);
        Add(type, call, reassignable: true);
    }

    private string Add(Ty type, string init, bool reassignable, string prefix = "v")
    {
        string name = prefix + ++_names;
        Line($"var {name} = {init};");
        _scopes[^1].Add(new Local(name, type, reassignable));
        return name;
    }

    private void Block(int depth, bool returns, bool canReturn = false)
    {
        _scopes.Add([]);
        int count = _r.Next(0, 3);
        for (int i = 0; i < count && (_budget > 0 || i == 0); i++)
        {
            Statement(depth + 1, canReturn);
        }

        FlushTasks();
        if (returns && depth < 3 && _r.NextDouble() < 0.15)
        {
            // Both arms return: the enclosing arm returns on every path.
            Line($"if ({Condition()})");
            Open();
            Block(depth + 1, returns: true);
            Close();
            Line("else");
            Open();
            Block(depth + 1, returns: true);
            Close();
        }
        else if (returns)
        {
            Return();
        }

        _scopes.RemoveAt(_scopes.Count - 1);
    }

    private void If(int depth, bool canReturn)
    {
        Line($"if ({Condition()})");
        bool thenReturns = canReturn && _r.NextDouble() < 0.3;
        Open();
        Block(depth, thenReturns);
        Close();
        if (_r.NextDouble() < 0.5)
        {
            Line("else");
            Open();
            Block(depth, returns: canReturn && !thenReturns && _r.NextDouble() < 0.3);
            Close();
        }
        else if (!thenReturns && _r.NextDouble() < 0.2)
        {
            // An arm without braces.
            Line("else");
            _indent++;
            Line(_async && _r.NextDouble() < 0.5 ? $"await AAudit({Arg(Ty.Str, 1)}, {Token()});" : $"Audit({Arg(Ty.Str, 1)});");
            _indent--;
        }
    }

    /// <summary>The token for an operator: the flow's, or one the runtime replaces by the request's.</summary>
    private string Token() => _r.Next(10) switch { 0 => "CancellationToken.None", 1 => "default", _ => "ct" };

    /// <summary>An awaited operator task, sometimes with ConfigureAwait(false).</summary>
    private string Await(string call) => "await " + call + (_r.NextDouble() < 0.1 ? ".ConfigureAwait(false)" : "");

    private void Switch(int depth, bool returning = false)
    {
        bool onText = _r.NextDouble() < 0.2;
        string on = onText ? "q" : _r.Next(3) switch { 0 => "n", 1 => Pick(Visible(Ty.Int)).Name, _ => $"Bucket({Arg(Ty.Str, 1)})" };
        Line($"switch ({on})");
        Open();
        int cases = _r.Next(1, 4);
        bool hasDefault = returning || _r.NextDouble() < 0.6;
        _switchDepth++;
        for (int i = 0; i < cases + (hasDefault ? 1 : 0); i++)
        {
            Line(i >= cases ? "default:" : onText ? $"case \"{Queries[i + 1]}\":" : $"case {i.ToString(CultureInfo.InvariantCulture)}:");
            _indent++;
            Block(depth, returns: returning);
            if (!returning)
            {
                Line("break;");
            }

            _indent--;
        }

        _switchDepth--;
        Close();
    }

    private void For(int depth)
    {
        string i = "i" + ++_names;
        int count = _r.Next(1, 4);
        Line(_r.NextDouble() < 0.5
            ? $"for (int {i} = 0; {i} < {count}; {i}++)"
            : $"for (int {i} = 0; {i} <= {count - 1}; {i}++)");
        Open();
        _loopDepth++;
        int switches = _switchDepth;
        _switchDepth = 0;
        _scopes.Add([new Local(i, Ty.Int, false)]);
        Block(depth, returns: false);
        _scopes.RemoveAt(_scopes.Count - 1);
        _switchDepth = switches;
        _loopDepth--;
        Close();
    }

    private void While(int depth)
    {
        _usesWhile = true;
        string c = Add(Ty.Int, $"Start({Arg(Ty.Str, 1)})", reassignable: false, prefix: "c");
        Line($"while (Below({c}, 4))");
        Open();
        _loopDepth++;
        int switches = _switchDepth;
        _switchDepth = 0;
        Block(depth, returns: false);
        Line($"{c} = Step({c}, {Arg(Ty.Str, 1)});");
        _switchDepth = switches;
        _loopDepth--;
        Close();
    }

    private void FanOut()
    {
        var arrays = Visible(Ty.Arr);
        string source = arrays.Count > 0 && _r.NextDouble() < 0.4 ? Pick(arrays).Name : Add(Ty.Arr, $"Split({Arg(Ty.Str, 1)})", reassignable: true, prefix: "a");
        string e = "e" + ++_names;
        switch (_r.Next(_async ? 5 : 3))
        {
            case 0:
                Add(Ty.Arr, $"{source}.Select({e} => {ElementCall(e, async: false)}).ToArray()", reassignable: false, prefix: "y");
                break;
            case 1:
                Line($"foreach (var {e} in {source}) {{ {(_async && _r.NextDouble() < 0.5 ? $"await AAudit({e}, ct);" : $"Audit({e});")} }}");
                break;
            case 2:
            {
                string list = "l" + ++_names;
                Line($"var {list} = new List<string>();");
                Line($"foreach (var {e} in {source}) {{ {list}.Add({(_async && _r.NextDouble() < 0.4 ? "await " + ElementCall(e, async: true) : ElementCall(e, async: false))}); }}");
                _scopes[^1].Add(new Local(list, Ty.List, false));
                break;
            }

            default:
                Add(Ty.Arr, $"await Task.WhenAll({source}.Select({e} => {ElementCall(e, async: true)}))", reassignable: false, prefix: "y");
                break;
        }

        if (_r.NextDouble() < 0.5)
        {
            Add(Ty.Str, $"Join({Pick([.. Visible(Ty.Arr), .. Visible(Ty.List)]).Name})", reassignable: true);
        }
    }

    /// <summary>One operator call on the element; its other arguments are parameters, locals or constants, never calls.</summary>
    private string ElementCall(string e, bool async) => async
        ? _r.Next(2) == 0 ? $"AUp({e}, ct)" : $"ACat({e}, {Arg(Ty.Str, 0)}, ct)"
        : _r.Next(3) switch { 0 => $"Up({e})", 1 => $"Tag({e}, {Arg(Ty.Int, 0)})", _ => $"Cat({Arg(Ty.Str, 0)}, {e})" };

    private readonly List<string> _pendingTasks = [];

    private void TaskLocal()
    {
        string t = "t" + ++_names;
        Line($"var {t} = {(_r.NextDouble() < 0.5 ? $"AUp({Arg(Ty.Str, 1)}, ct)" : $"ACat({Arg(Ty.Str, 1)}, {Arg(Ty.Str, 1)}, ct)")};");
        _pendingTasks.Add(t);
        if (_pendingTasks.Count >= 2 && _r.NextDouble() < 0.5)
        {
            FlushTasks();
        }
    }

    private void FlushTasks()
    {
        if (_pendingTasks.Count == 0)
        {
            return;
        }

        if (_pendingTasks.Count >= 2 || _r.NextDouble() < 0.3)
        {
            string extra = _r.NextDouble() < 0.2 ? $", AAudit({Arg(Ty.Str, 0)}, ct)" : "";
            Line($"await Task.WhenAll({string.Join(", ", _pendingTasks)}{extra});");
        }

        foreach (var t in _pendingTasks)
        {
            Add(Ty.Str, Await(t), reassignable: true);
            if (_r.NextDouble() < 0.1)
            {
                Add(Ty.Str, "await " + t, reassignable: true); // Awaiting a task twice gives its result again.
            }
        }

        _pendingTasks.Clear();
    }

    private void Terminal()
    {
        int roll = _r.Next(10);
        if (roll < 2 && _budget >= 0)
        {
            Line($"if ({Condition()})");
            Open();
            Block(0, returns: true);
            Close();
            Line("else");
            Open();
            Block(0, returns: true);
            Close();
        }
        else if (roll < 3)
        {
            Switch(0, returning: true);
        }
        else if (!_void)
        {
            Return();
        }
    }

    private void Return()
    {
        if (_void)
        {
            Line("return;");
            return;
        }

        Line(_r.Next(6) switch
        {
            0 => $"return {Pick(Visible(Ty.Str)).Name};",
            1 => "return \"const" + _r.Next(3).ToString(CultureInfo.InvariantCulture) + "\";",
            2 => $"return {Condition()} ? {ReturnValue()} : {ReturnValue()};",
            _ => $"return {Call(Ty.Str, 2, top: true)};",
        });
    }

    private string ReturnValue() => _r.Next(3) switch
    {
        0 => Pick(Visible(Ty.Str)).Name,
        1 => "\"k" + _r.Next(3).ToString(CultureInfo.InvariantCulture) + "\"",
        _ => Call(Ty.Str, 1, top: true),
    };

    // ---- expressions ----

    private string Condition()
    {
        var bools = Visible(Ty.Bool);
        string c = bools.Count > 0 && _r.NextDouble() < 0.3 ? Pick(bools).Name : Call(Ty.Bool, 1, top: true);
        return _r.NextDouble() < 0.3 ? "!" + c : c;
    }

    private string Call(Ty type, int depth, bool top)
    {
        bool awaitOk = _async && (top || _r.NextDouble() < 0.3);
        switch (type)
        {
            case Ty.Str:
                var arrays = Visible(Ty.Arr).Concat(Visible(Ty.List)).ToList();
                return _r.Next(awaitOk ? 8 : 6) switch
                {
                    0 => $"Up({Arg(Ty.Str, depth)})",
                    1 => $"Cat({Arg(Ty.Str, depth)}, {Arg(Ty.Str, depth)})",
                    2 => $"Tag({Arg(Ty.Str, depth)}, {Arg(Ty.Int, depth)})",
                    3 => $"Str({Arg(Ty.Int, depth)})",
                    4 => arrays.Count > 0 ? $"Join({Pick(arrays).Name})" : $"Join(({Call(Ty.Arr, depth, false)}))",
                    5 => $"Up({Arg(Ty.Str, depth)})",
                    6 => Await($"AUp({Arg(Ty.Str, depth)}, {Token()})"),
                    _ => Await($"ACat({Arg(Ty.Str, depth)}, {Arg(Ty.Str, depth)}, {Token()})"),
                };
            case Ty.Int:
                return _r.Next(3) switch
                {
                    0 => $"Len({Arg(Ty.Str, depth)})",
                    1 => $"Add({Arg(Ty.Int, depth)}, {Arg(Ty.Int, depth)})",
                    _ => $"Start({Arg(Ty.Str, depth)})",
                };
            case Ty.Bool:
                return _r.Next(awaitOk ? 3 : 2) switch
                {
                    0 => $"P({Arg(Ty.Str, depth)})",
                    1 => $"Q({Arg(Ty.Int, depth)})",
                    _ => Await($"AP({Arg(Ty.Str, depth)}, {Token()})"),
                };
            default:
                return $"Split({Arg(Ty.Str, depth)})";
        }
    }

    private string Arg(Ty type, int depth)
    {
        string arg;
        int roll = _r.Next(10);
        if (depth > 0 && roll < 3)
        {
            arg = Call(type, depth - 1, top: false);
        }
        else if (roll < 8)
        {
            var locals = Visible(type);
            arg = Pick(locals).Name;
        }
        else
        {
            arg = type == Ty.Str
                ? _r.NextDouble() < 0.05 ? "null!" : "\"c" + _r.Next(3).ToString(CultureInfo.InvariantCulture) + "\""
                : _hasConst && _r.NextDouble() < 0.5 ? "K" : _r.Next(0, 4).ToString(CultureInfo.InvariantCulture);
        }

        return _r.NextDouble() < 0.05 ? "(" + arg + ")" : arg;
    }

    private List<Local> Visible(Ty type) => [.. _scopes.SelectMany(s => s).Where(l => l.Type == type)];

    private List<Local> Reassignable() => [.. _scopes.SelectMany(s => s).Where(l => l.Reassignable && l.Type is Ty.Str or Ty.Int or Ty.Bool or Ty.Arr)];

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    // ---- outside the language ----

    private void Inject()
    {
        string z = "z" + ++_names;
        string ret = _void ? "return;" : "return Up(q);";
        string[] bad =
        [
            $"var {z} = q.Length;",
            $"var {z} = Up(q); {z} = {z} + \"x\";",
            $"var {z} = Up(q.Trim());",
            "if (q.Length > 3) { Audit(q); }",
            "try { Audit(q); } finally { Audit(\"f\"); }",
            "lock (Gate) { Audit(q); }",
            "do { Audit(q); } while (false);",
            $"int Lf{_names}(int v) => v; Audit(Str(Lf{_names}(n)));",
            $"var {z} = Helper(q);",
            $"var {z} = Up(q); {z} += \"x\";",
            $"var {z} = Len(q); {z}++;",
            $"using (var m{_names} = new System.IO.MemoryStream()) {{ Audit(q); }}",
            $"for (int j{_names} = 0; j{_names} < 2; j{_names}++) {{ if (P(q)) {{ continue; }} Audit(q); }}",
            $"for (int j{_names} = 0; j{_names} < 2; j{_names}++) {{ if (P(q)) {{ {ret} }} }}",
            "switch (n) { case 0: case 1: Audit(q); break; default: break; }",
            $"var {z} = n > 2 ? Up(q) : Up(\"x\");",
            $"var {z} = Up(q) + \"x\";",
            $"var a{_names} = Split(q); var {z} = a{_names}.Select(e => Cat(e, Up(q))).ToArray();",
            $"var {z} = Up(q); if (P({z})) {{ if (P(q)) {{ {ret} }} Audit({z}); }}",
            $"var {z} = new List<string> {{ q }};",
            "Audit($\"{q}!\");",
            $"var {z} = Up(q); if (P({z}) && Q(n)) {{ Audit({z}); }}",
            $"var {z} = (Up(q), n);",
            "Audit(q is null ? \"a\" : q);",
            $"var {z} = Tag(q, checked(n + 1));",
            "Audit(Up(q) ?? q);",
            $"var {z} = Up(q); {z} = q;",
            $"var {z} = Split(q); foreach (var e{_names} in {z}) {{ Audit(e{_names}); Audit(q); }}",
            $"var {z} = Split(q).Select(e => Up(e)).ToArray();",
            "switch (n) { case > 2: Audit(q); break; default: break; }",
        ];
        int pick = _r.Next(bad.Length);
        _injected = "#" + pick.ToString(CultureInfo.InvariantCulture) + ": " + bad[pick];
        Line(bad[pick]);
    }

    // ---- text ----

    private void Line(string text) => _sb.Append(' ', _indent * 4).Append(text).Append('\n');

    private void Open()
    {
        Line("{");
        _indent++;
    }

    private void Close()
    {
        _indent--;
        Line("}");
    }
}
