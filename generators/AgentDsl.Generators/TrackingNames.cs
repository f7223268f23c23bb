namespace AgentDsl.Generators
{
    /// <summary>Names of the tracked pipeline steps; tests find them by reflection and assert each is cached on an unrelated edit.</summary>
    public static class TrackingNames
    {
        /// <summary>The semantic transform: class → spec (the lowering's diagnostics are FlowAnalyzer's to report).</summary>
        public const string Transform = "AgentDsl.Transform";

        /// <summary>The specs the emitter sees (classes that can be generated).</summary>
        public const string Output = "AgentDsl.Output";
    }
}
