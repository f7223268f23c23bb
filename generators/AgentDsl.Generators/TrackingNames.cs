namespace AgentDsl.Generators
{
    /// <summary>Names of the tracked pipeline steps; tests find them by reflection and assert each is cached on an unrelated edit.</summary>
    public static class TrackingNames
    {
        /// <summary>The semantic transform: class → spec plus diagnostics.</summary>
        public const string Transform = "AgentDsl.Transform";

        /// <summary>The diagnostics split off the transform.</summary>
        public const string Diagnostics = "AgentDsl.Telemetry";

        /// <summary>The spec the emitter sees (diagnostics removed).</summary>
        public const string Output = "AgentDsl.Output";
    }
}
