#nullable enable
using System;
using System.Text;

namespace AgentDsl.Generators.Helpers
{
    /// <summary>A small indenting writer for generated source (after dotnet/runtime's SourceWriter). Always writes '\n' line ends.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _sb = new StringBuilder();
        private int _indent;

        public SourceWriter WriteLine(string line = "")
        {
            if (line.Length > 0)
            {
                _sb.Append(' ', _indent * 4);
                _sb.Append(line);
            }

            _sb.Append('\n');
            return this;
        }

        /// <summary>Writes text that already contains line breaks, without indenting it (raw string literals).</summary>
        public SourceWriter WriteRaw(string text)
        {
            _sb.Append(text);
            return this;
        }

        public IDisposable Block(string? header = null, string close = "}")
        {
            if (header != null)
            {
                WriteLine(header);
            }

            WriteLine("{");
            _indent++;
            return new Closer(this, close);
        }

        public void Indent() => _indent++;

        public void Unindent() => _indent--;

        public override string ToString() => _sb.ToString();

        private sealed class Closer : IDisposable
        {
            private readonly SourceWriter _writer;
            private readonly string _close;

            public Closer(SourceWriter writer, string close)
            {
                _writer = writer;
                _close = close;
            }

            public void Dispose()
            {
                _writer._indent--;
                _writer.WriteLine(_close);
            }
        }
    }
}
