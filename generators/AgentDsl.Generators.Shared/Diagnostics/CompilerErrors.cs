using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AgentDsl.Generators.Diagnostics
{
    /// <summary>
    /// The one rule for "an ADSL error would only be a consequence of a C# error": the compiler reports an error inside
    /// the span. A warning made an error (TreatWarningsAsErrors) does not count: it does not make the construct mean
    /// something else. Used by the flow lowerer and by KernelAnalyzer.
    /// </summary>
    internal static class CompilerErrors
    {
        /// <summary>Whether the compiler reports an error inside <paramref name="span"/> of <paramref name="model"/>'s tree.</summary>
        public static bool Within(SemanticModel model, TextSpan span, CancellationToken cancellationToken) =>
            model.GetDiagnostics(span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error && !d.IsWarningAsError);
    }
}
