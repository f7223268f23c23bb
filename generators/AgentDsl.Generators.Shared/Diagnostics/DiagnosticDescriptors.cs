#nullable enable
using Microsoft.CodeAnalysis;

namespace AgentDsl.Generators.Diagnostics
{
    /// <summary>
    /// Every AgentDsl diagnostic, in one place; shared by the generator and the analyzers.
    /// Must be kept in sync with docs/diagnostics.md and the AnalyzerReleases files (a test checks it).
    /// ID blocks: 0001–0099 flow and graph extraction, 0100–0199 kernels, 0200–0299 placement and
    /// hardware profile, 0300–0399 attribute usage, 0400+ runtime and configuration.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        public const string FlowCategory = "AgentDsl.Flow";
        public const string UsageCategory = "AgentDsl.Usage";
        public const string HelpLinkBase = "docs/diagnostics.md#";

        public const string UnsupportedFlowStatementId = "ADSL0001";
        public const string UnsupportedFlowExpressionId = "ADSL0002";
        public const string NotAnOperatorId = "ADSL0003";
        public const string UnsupportedFlowSignatureId = "ADSL0004";

        public const string GraphClassNotPartialId = "ADSL0300";
        public const string FlowMethodCountId = "ADSL0301";
        public const string MemberOutsideGraphId = "ADSL0302";
        public const string GenericGraphClassId = "ADSL0303";

        /// <summary>Format: <c>'{0}' is not supported in a [Flow] body: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedFlowStatement = new DiagnosticDescriptor(
            UnsupportedFlowStatementId,
            title: "Unsupported statement in a flow",
            messageFormat: "'{0}' is not supported in a [Flow] body: {1}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Flow] body is turned into a dataflow graph at compile time; it may contain local declarations holding operator results, awaited operator calls, 'await Task.WhenAll(...)' and a return. Other statements would give a wrong graph.",
            helpLinkUri: HelpLinkBase + "adsl0001",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>'{0}' is not supported in a [Flow] body: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedFlowExpression = new DiagnosticDescriptor(
            UnsupportedFlowExpressionId,
            title: "Unsupported expression in a flow",
            messageFormat: "'{0}' is not supported in a [Flow] body: {1}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Operator arguments in a [Flow] body must be flow parameters, locals holding operator results, compile-time constants, the flow's cancellation token or operator calls. Computation belongs in an operator, where the graph can see and place it.",
            helpLinkUri: HelpLinkBase + "adsl0002",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>'{0}' is not an operator of '{1}': {2}</c>.</summary>
        public static readonly DiagnosticDescriptor NotAnOperator = new DiagnosticDescriptor(
            NotAnOperatorId,
            title: "Call to a method that is not an operator",
            messageFormat: "'{0}' is not an operator of '{1}': {2}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Every call in a [Flow] body becomes a node, so it must call an [Operator] method of the same graph class.",
            helpLinkUri: HelpLinkBase + "adsl0003",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>The [Flow] method '{0}' cannot be turned into a graph: {1}</c>.</summary>
        public static readonly DiagnosticDescriptor UnsupportedFlowSignature = new DiagnosticDescriptor(
            UnsupportedFlowSignatureId,
            title: "Unsupported flow signature",
            messageFormat: "The [Flow] method '{0}' cannot be turned into a graph: {1}",
            category: FlowCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Flow] method takes its inputs by value (no ref, out, in or params) and has a body.",
            helpLinkUri: HelpLinkBase + "adsl0004",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>Format: <c>The [AgentGraph] class '{0}' must be partial{1}</c>.</summary>
        public static readonly DiagnosticDescriptor GraphClassNotPartial = new DiagnosticDescriptor(
            GraphClassNotPartialId,
            title: "Agent graph class is not partial",
            messageFormat: "The [AgentGraph] class '{0}' must be partial{1}",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The generator adds the graph definition and invoker to the class, so it and every class containing it must be declared partial.",
            helpLinkUri: HelpLinkBase + "adsl0300");

        /// <summary>Format: <c>The [AgentGraph] class '{0}' has {1} [Flow] methods; it needs exactly one</c>.</summary>
        public static readonly DiagnosticDescriptor FlowMethodCount = new DiagnosticDescriptor(
            FlowMethodCountId,
            title: "Agent graph needs exactly one flow",
            messageFormat: "The [AgentGraph] class '{0}' has {1} [Flow] methods; it needs exactly one",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The graph of a class is read from its one [Flow] method.",
            helpLinkUri: HelpLinkBase + "adsl0301");

        /// <summary>Format: <c>[{0}] on '{1}' has no effect: '{2}' is not an [AgentGraph] class</c>.</summary>
        public static readonly DiagnosticDescriptor MemberOutsideGraph = new DiagnosticDescriptor(
            MemberOutsideGraphId,
            title: "Operator or flow outside an agent graph",
            messageFormat: "[{0}] on '{1}' has no effect: '{2}' is not an [AgentGraph] class",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "[Operator] and [Flow] methods are only read inside a class marked [AgentGraph].",
            helpLinkUri: HelpLinkBase + "adsl0302");

        /// <summary>Format: <c>The [AgentGraph] class '{0}' cannot be generic</c>.</summary>
        public static readonly DiagnosticDescriptor GenericGraphClass = new DiagnosticDescriptor(
            GenericGraphClassId,
            title: "Agent graph class is generic",
            messageFormat: "The [AgentGraph] class '{0}' cannot be generic",
            category: UsageCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A graph's definition is static and fixed at compile time, so the class (and the classes containing it) cannot have type parameters.",
            helpLinkUri: HelpLinkBase + "adsl0303");
    }
}
