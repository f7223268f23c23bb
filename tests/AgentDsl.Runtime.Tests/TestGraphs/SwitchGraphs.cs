using System.Collections.Concurrent;
using AgentDsl;

namespace AgentDsl.Runtime.Tests.TestGraphs;

public enum Intent
{
    Question,
    Complaint,
    Other,
}

/// <summary>A switch on an operator result: sections that reassign a local, a side effect, a default.</summary>
[AgentGraph]
public partial class SwitchGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public string Route(string text)
    {
        var intent = Classify(text);
        string reply = Greet(text);
        switch (intent)
        {
            case Intent.Question:
                reply = Answer(text);
                break;
            case Intent.Complaint:
                Escalate(text);
                reply = Apologize(text);
                break;
            default:
                break;
        }

        return Sign(reply);
    }

    [Operator] public Intent Classify(string text) { Log.Enqueue("Classify"); return text.EndsWith('?') ? Intent.Question : text.Contains("bad", StringComparison.Ordinal) ? Intent.Complaint : Intent.Other; }

    [Operator] public string Greet(string text) { Log.Enqueue("Greet"); return "hello"; }

    [Operator] public string Answer(string text) { Log.Enqueue("Answer"); return "answer to " + text; }

    [Operator] public void Escalate(string text) => Log.Enqueue("Escalate");

    [Operator] public string Apologize(string text) { Log.Enqueue("Apologize"); return "sorry"; }

    [Operator] public string Sign(string reply) { Log.Enqueue("Sign"); return reply + " -- bot"; }
}

/// <summary>A switch whose every section returns, on a string parameter.</summary>
[AgentGraph]
public partial class ReturningSwitchGraph
{
    [Flow]
    public string Run(string command, string arg)
    {
        switch (command)
        {
            case "up":
                return Upper(arg);
            case "rev":
                return Reverse(arg);
            default:
                return Echo(arg);
        }
    }

    [Operator] public string Upper(string s) => s.ToUpperInvariant();

    [Operator] public string Reverse(string s) => new(s.Reverse().ToArray());

    [Operator] public string Echo(string s) => s;
}

/// <summary>A switch inside another switch's section (found by the flow fuzzer): the inner breaks end the inner sections.</summary>
[AgentGraph]
public partial class NestedSwitchGraph
{
    public ConcurrentQueue<string> Log { get; } = new();

    [Flow]
    public string Run(int a, int b)
    {
        var text = Start(a);
        switch (a)
        {
            case 0:
                switch (b)
                {
                    case 0:
                        text = Mark(text, "00");
                        break;
                    default:
                        text = Mark(text, "0x");
                        break;
                }

                break;
            default:
                text = Mark(text, "x");
                break;
        }

        return text;
    }

    [Operator] public string Start(int a) { Log.Enqueue("Start"); return "s" + a; }

    [Operator] public string Mark(string text, string mark) { Log.Enqueue("Mark " + mark); return text + "+" + mark; }
}
