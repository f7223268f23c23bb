using System.Text;
using System.Xml.Linq;

namespace AgentDsl.Retrieval;

/// <summary>
/// Renders XML documentation to plain text: references become their names, block elements become
/// spaces, and every run of white space collapses to one space.
/// </summary>
internal static class DocText
{
    /// <summary>The plain text of a documentation element (for example a member's <c>summary</c>).</summary>
    public static string Render(XElement element)
    {
        var text = new StringBuilder();
        AppendContent(element, text);
        return Collapse(text.ToString());
    }

    /// <summary>
    /// The readable name of a documentation id (<c>T:System.Collections.Generic.IEnumerable`1</c> → <c>IEnumerable</c>,
    /// <c>M:System.String.Split(System.Char)</c> → <c>String.Split</c>, a constructor → its type): types by their
    /// own name, members with their type's; generic arity markers and parameter lists dropped.
    /// </summary>
    public static string ReferenceName(string id)
    {
        bool prefixed = id.Length > 2 && id[1] == ':';

        // Types and namespaces by their own name; members with their type's. An xref uid has no kind
        // prefix: with a parameter list it names a member, otherwise a type.
        // A constructor is named by its type.
        bool isType = (prefixed ? id[0] is 'T' or 'N' : !id.Contains('(', StringComparison.Ordinal)) || id.Contains("#c", StringComparison.Ordinal);
        string path = WithoutArity(QualifiedName(id))
            .Replace(".#ctor", string.Empty, StringComparison.Ordinal)
            .Replace(".#cctor", string.Empty, StringComparison.Ordinal);
        int last = path.LastIndexOf('.');
        if (last < 0)
        {
            return path;
        }

        if (isType)
        {
            return path[(last + 1)..];
        }

        int before = last > 0 ? path.LastIndexOf('.', last - 1) : -1;
        return path[(before + 1)..];
    }

    /// <summary>A documentation id without its kind prefix and parameter list, generic arity markers removed.</summary>
    public static string QualifiedName(string id)
    {
        string name = id.Length > 2 && id[1] == ':' ? id[2..] : id;
        int paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            name = name[..paren];
        }

        int tilde = name.IndexOf('~', StringComparison.Ordinal);
        return tilde >= 0 ? name[..tilde] : name;
    }

    /// <summary>Replaces every run of white space with one space and trims the ends.</summary>
    public static string Collapse(string text)
    {
        var result = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = result.Length > 0;
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }

    /// <summary>Removes generic arity markers (<c>`1</c>, <c>``2</c>) from a name.</summary>
    public static string WithoutArity(string name)
    {
        var result = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == '`')
            {
                while (i + 1 < name.Length && (name[i + 1] == '`' || char.IsAsciiDigit(name[i + 1])))
                {
                    i++;
                }

                continue;
            }

            result.Append(name[i]);
        }

        return result.ToString();
    }

    private static void AppendContent(XElement element, StringBuilder text)
    {
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText t:
                    text.Append(t.Value);
                    break;
                case XElement e:
                    AppendElement(e, text);
                    break;
            }
        }
    }

    private static void AppendElement(XElement e, StringBuilder text)
    {
        switch (e.Name.LocalName)
        {
            case "see" or "seealso" or "xref":
                if (!e.IsEmpty && e.Nodes().Any())
                {
                    AppendContent(e, text);
                }
                else if ((e.Attribute("cref") ?? e.Attribute("uid")) is { } reference)
                {
                    text.Append(ReferenceName(reference.Value));
                }
                else if (e.Attribute("langword") is { } word)
                {
                    text.Append(word.Value);
                }
                else if (e.Attribute("href") is { } href)
                {
                    text.Append(href.Value);
                }

                break;
            case "paramref" or "typeparamref":
                text.Append(e.Attribute("name")?.Value);
                break;
            case "c" or "b" or "i" or "em" or "strong" or "sup" or "sub" or "a":
                AppendContent(e, text);
                break;
            default:
                // Block elements (para, list, item, code, br, …): their text, set apart by spaces.
                text.Append(' ');
                AppendContent(e, text);
                text.Append(' ');
                break;
        }
    }
}
