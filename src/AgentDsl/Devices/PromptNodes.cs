using AgentDsl.Ir;

namespace AgentDsl.Devices;

/// <summary>
/// The one rule for LLM nodes a text engine can serve in place of the operator's body — an
/// <c>[Operator(OperatorKind.Llm)]</c> taking one prompt string (and optionally a token) and returning a string —
/// and how the prompt is read from a request. Used by every LLM device (an <c>IChatClient</c> endpoint, llama.cpp).
/// </summary>
public static class PromptNodes
{
    /// <summary>Whether <paramref name="node"/> is an LLM call from one string to a string, not a fan-out.</summary>
    /// <param name="node">The node.</param>
    public static bool IsPromptToText(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Kind == OperatorKind.Llm
            && node.FanOut is null
            && IsText(node.ResultType)
            && node.Inputs.Count(i => i.Value.Source != ValueSource.CancellationToken) == 1
            && node.Inputs.Any(i => IsText(i.Type) && i.Value.Source is ValueSource.Input or ValueSource.Node or ValueSource.Constant);
    }

    /// <summary>The prompt of a node that <see cref="IsPromptToText"/>: its argument's value, or its constant.</summary>
    /// <param name="work">The node's work item.</param>
    public static string Prompt(NodeWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var input = work.Node.Inputs.First(i => IsText(i.Type));
        return input.Value.Source switch
        {
            ValueSource.Constant => Unquote(input.ConstantText),
            ValueSource.Input => work.Values.Input(input.Value.Index) as string ?? "",
            _ => work.Values.Result(input.Value.Index) as string ?? "",
        };
    }

    /// <summary>Whether an IR type name (<see cref="NodeInput.Type"/>, a graph input's type) is a string: the type a prompt, a message or an answer has.</summary>
    /// <param name="type">The type as the IR writes it.</param>
    public static bool IsText(string type) => type is "string" or "string?" or "System.String";

    private static string Unquote(string? text) =>
        text is { Length: >= 2 } && text[0] == '"' && text[^1] == '"' ? System.Text.RegularExpressions.Regex.Unescape(text[1..^1]) : text ?? "";
}
