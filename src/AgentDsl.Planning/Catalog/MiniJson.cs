// A small JSON reader with line and column positions for ProfileReader: linked into the analyzers, which run inside
// the compiler (netstandard2.0) and cannot take a dependency on System.Text.Json. Strict RFC 8259 plus // comments and trailing commas.
#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AgentDsl.Planning.Shared
{
    internal enum JsonKind
    {
        Null,
        Bool,
        Number,
        String,
        Array,
        Object,
    }

    /// <summary>A parsed JSON value and where it starts (0-based offset, 1-based line and column).</summary>
    internal sealed class JsonNode
    {
        public JsonKind Kind;
        public bool Bool;
        public double Number;
        public string String = "";
        public List<JsonNode> Items = new List<JsonNode>();
        public List<KeyValuePair<string, JsonNode>> Members = new List<KeyValuePair<string, JsonNode>>();
        public int Offset;
        public int Length;
        public int Line;
        public int Column;

        public JsonNode? this[string name]
        {
            get
            {
                foreach (var m in Members)
                {
                    if (m.Key == name)
                    {
                        return m.Value;
                    }
                }

                return null;
            }
        }
    }

    /// <summary>A syntax error with its position.</summary>
    internal sealed class JsonSyntaxException : Exception
    {
        public JsonSyntaxException(string message, int offset, int line, int column)
            : base(message)
        {
            Offset = offset;
            Line = line;
            Column = column;
        }

        public int Offset { get; }

        public int Line { get; }

        public int Column { get; }
    }

    internal sealed class MiniJson
    {
        /// <summary>The deepest nesting of arrays and objects read (as System.Text.Json's default): deeper input is an error, not a stack overflow.</summary>
        public const int MaxDepth = 64;

        private readonly string _text;
        private int _depth;
        private int _pos;
        private int _line = 1;
        private int _lineStart;

        private MiniJson(string text) => _text = text;

        public static JsonNode Parse(string text)
        {
            var reader = new MiniJson(text);
            reader.Skip();
            var value = reader.Value();
            reader.Skip();
            if (reader._pos < text.Length)
            {
                throw reader.Error("unexpected text after the JSON value");
            }

            return value;
        }

        private JsonNode Value()
        {
            if (_pos >= _text.Length)
            {
                throw Error("unexpected end of the file");
            }

            var node = new JsonNode { Offset = _pos, Line = _line, Column = _pos - _lineStart + 1 };
            char c = _text[_pos];
            if ((c == '{' || c == '[') && _depth >= MaxDepth)
            {
                throw Error($"arrays and objects nested more than {MaxDepth} levels deep (the maximum depth)");
            }

            switch (c)
            {
                case '{':
                    node.Kind = JsonKind.Object;
                    _depth++;
                    _pos++;
                    Skip();
                    while (Peek() != '}')
                    {
                        if (Peek() != '"')
                        {
                            throw Error("expected a property name in double quotes");
                        }

                        string key = StringLiteral();
                        Skip();
                        Expect(':');
                        Skip();
                        node.Members.Add(new KeyValuePair<string, JsonNode>(key, Value()));
                        Skip();
                        if (Peek() == ',')
                        {
                            _pos++;
                            Skip();
                        }
                        else if (Peek() != '}')
                        {
                            throw Error("expected ',' or '}'");
                        }
                    }

                    _depth--;
                    _pos++;
                    break;
                case '[':
                    node.Kind = JsonKind.Array;
                    _depth++;
                    _pos++;
                    Skip();
                    while (Peek() != ']')
                    {
                        node.Items.Add(Value());
                        Skip();
                        if (Peek() == ',')
                        {
                            _pos++;
                            Skip();
                        }
                        else if (Peek() != ']')
                        {
                            throw Error("expected ',' or ']'");
                        }
                    }

                    _depth--;
                    _pos++;
                    break;
                case '"':
                    node.Kind = JsonKind.String;
                    node.String = StringLiteral();
                    break;
                case 't':
                case 'f':
                case 'n':
                    string word = Word();
                    if (word == "true" || word == "false")
                    {
                        node.Kind = JsonKind.Bool;
                        node.Bool = word == "true";
                    }
                    else if (word == "null")
                    {
                        node.Kind = JsonKind.Null;
                    }
                    else
                    {
                        throw Error($"unexpected '{word}'");
                    }

                    break;
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        int start = _pos;
                        while (_pos < _text.Length && "+-.eE0123456789".IndexOf(_text[_pos]) >= 0)
                        {
                            _pos++;
                        }

                        if (!double.TryParse(_text.Substring(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out node.Number))
                        {
                            _pos = start;
                            throw Error("not a number");
                        }

                        // A number beyond double's range reads as an infinity: the schema rejects it naming the field.
                        node.Kind = JsonKind.Number;
                        break;
                    }

                    throw Error($"unexpected character '{c}'");
            }

            node.Length = _pos - node.Offset;
            return node;
        }

        private string StringLiteral()
        {
            Expect('"');
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length || _text[_pos] == '\n')
                {
                    throw Error("unterminated string");
                }

                char c = _text[_pos++];
                if (c == '"')
                {
                    return sb.ToString();
                }

                if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && _pos < _text.Length && char.IsLowSurrogate(_text[_pos])))
                {
                    _pos--;
                    throw Error("not valid text: a lone UTF-16 surrogate");
                }

                if (char.IsHighSurrogate(c))
                {
                    sb.Append(c).Append(_text[_pos++]);
                    continue;
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                if (_pos >= _text.Length || _text[_pos] == '\n')
                {
                    throw Error("unterminated string"); // not past the line break: the error's line and column stay right
                }

                char e = _text[_pos++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'u':
                        if (_pos + 4 > _text.Length || !int.TryParse(_text.Substring(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                        {
                            throw Error("bad \\u escape");
                        }

                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    case '"':
                    case '\\':
                    case '/':
                        sb.Append(e);
                        break;
                    default:
                        throw Error($"bad escape '\\{e}'");
                }
            }
        }

        private string Word()
        {
            int start = _pos;
            while (_pos < _text.Length && char.IsLetter(_text[_pos]))
            {
                _pos++;
            }

            return _text.Substring(start, _pos - start);
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : throw Error("unexpected end of the file");

        private void Expect(char c)
        {
            if (_pos >= _text.Length || _text[_pos] != c)
            {
                throw Error($"expected '{c}'");
            }

            _pos++;
        }

        private void Skip()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == '\n')
                {
                    _line++;
                    _lineStart = _pos + 1;
                    _pos++;
                }
                else if (c == ' ' || c == '\t' || c == '\r')
                {
                    _pos++;
                }
                else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
                {
                    while (_pos < _text.Length && _text[_pos] != '\n')
                    {
                        _pos++;
                    }
                }
                else
                {
                    break;
                }
            }
        }

        private JsonSyntaxException Error(string message) =>
            new JsonSyntaxException(message, Math.Min(_pos, _text.Length), _line, Math.Min(_pos, _text.Length) - _lineStart + 1);
    }
}
