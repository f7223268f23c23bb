namespace AgentDsl.Generators
{
    /// <summary>Metadata names the generator and analyzers look up.</summary>
    internal static class KnownTypeNames
    {
        public const string AgentGraphAttribute = "AgentDsl.AgentGraphAttribute";
        public const string FlowAttribute = "AgentDsl.FlowAttribute";
        public const string OperatorAttribute = "AgentDsl.OperatorAttribute";
        public const string KernelAttribute = "AgentDsl.KernelAttribute";
        public const string KernelHelperAttribute = "AgentDsl.KernelHelperAttribute";
    }
}
