using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;

namespace AgentDsl.Planning.OrTools;

/// <summary>
/// Measures HEFT's latency gap to the CP-SAT optimum on generated graphs: random layered DAGs whose nodes
/// mix compute-bound and bandwidth-bound work of varied size, on a few devices of different catalog types.
/// </summary>
public static class GapHarness
{
    /// <summary>Generates a layered random DAG of <paramref name="nodes"/> nodes.</summary>
    /// <param name="nodes">How many nodes.</param>
    /// <param name="rng">The source of randomness (seeded for reproducible graphs).</param>
    /// <param name="controlFlow">
    /// Also generate the flow language's other dependencies: about one node in six is a cheap predicate
    /// (a <c>bool</c> result) and one in five of the later nodes is guarded by an earlier predicate (an <c>if</c>
    /// arm); about one in eight fans out over an earlier node's result (a <c>Select</c> over a collection). Planners
    /// must order guarded and fan-out nodes after their guard and collection, not only after their arguments.
    /// </param>
    public static GraphDefinition RandomGraph(int nodes, Random rng, bool controlFlow = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var list = new List<NodeDefinition>();
        var predicates = new List<int>();
        for (int i = 0; i < nodes; i++)
        {
            bool predicate = controlFlow && i > 0 && i < nodes - 1 && rng.NextDouble() < 1.0 / 6;
            var guards = new List<NodeGuard>();
            if (controlFlow && predicates.Count > 0 && i < nodes - 1 && rng.NextDouble() < 0.2)
            {
                guards.Add(new NodeGuard(predicates[rng.Next(predicates.Count)], rng.NextDouble() < 0.5));
            }

            ValueRef? fanOut = null;
            if (controlFlow && !predicate && i > 1 && rng.NextDouble() < 0.125)
            {
                int source = rng.Next(i);
                if (!predicates.Contains(source))
                {
                    fanOut = ValueRef.Node(source);
                }
            }

            var inputs = new List<NodeInput>();
            if (fanOut is not null)
            {
                inputs.Add(new NodeInput("e", "float", ValueRef.Element));
            }

            int fanIn = i == 0 ? 0 : rng.Next(1, Math.Min(3, i) + 1);
            var chosen = new SortedSet<int>();
            while (chosen.Count < fanIn)
            {
                // Mostly recent producers (a layered, wide graph), sometimes any earlier one.
                chosen.Add(rng.NextDouble() < 0.8 ? Math.Max(0, i - 1 - rng.Next(Math.Min(i, 16))) : rng.Next(i));
            }

            foreach (int p in chosen)
            {
                inputs.Add(new NodeInput("p" + p, "float[]", ValueRef.Node(p)));
            }

            if (inputs.Count == 0)
            {
                inputs.Add(new NodeInput("x", "float[]", ValueRef.Input(0)));
            }

            bool computeBound = rng.NextDouble() < 0.5;
            double scale = predicate ? 0.1 : Math.Pow(10, rng.NextDouble() * 2); // 1x to 100x; predicates are cheap
            list.Add(new NodeDefinition(i, "n" + i, "op" + i, computeBound ? OperatorKind.Model : OperatorKind.Compute, predicate ? "bool" : "float[]", false, inputs)
            {
                Cost = new CostHints
                {
                    Flops = computeBound ? 5e11 * scale : 1e9 * scale,
                    BytesMoved = computeBound ? 1e8 * scale : 5e9 * scale,
                    Model = new ModelDescription { Precision = Precision.Fp16 },
                },
                OutputBytes = predicate ? 1 : 1e8 * rng.NextDouble(),
                Guards = guards,
                FanOut = fanOut,
            });
            if (predicate)
            {
                predicates.Add(i);
            }
        }

        return new GraphDefinition("random", "Random", "Run", new SlaSpec(0, 0.99), [new GraphInput(0, "x", "float[]")], list, ValueRef.Node(nodes - 1), "float[]");
    }

    /// <summary>The default device mix: a CPU socket, an A100, an H100 and an MI300X.</summary>
    public static IReadOnlyList<PlanDevice> DefaultDevices() => PlanDevice.Of(
        (HardwareCatalog.Default["EPYC-9654"], 1, 0),
        (HardwareCatalog.Default["A100-80GB"], 1, 0),
        (HardwareCatalog.Default["H100-SXM"], 1, 0),
        (HardwareCatalog.Default["MI300X"], 1, 0));

    /// <summary>Runs <paramref name="count"/> problems of <paramref name="nodes"/> nodes from <paramref name="seed"/>.</summary>
    /// <param name="seed">The first graph's seed.</param>
    /// <param name="count">How many graphs.</param>
    /// <param name="nodes">Nodes per graph.</param>
    /// <param name="timeLimit">CP-SAT's limit per graph (20 s when null).</param>
    /// <param name="controlFlow">Generate guarded branches and fan-outs too (see <see cref="RandomGraph"/>).</param>
    public static IReadOnlyList<GapSample> Measure(int seed, int count, int nodes, TimeSpan? timeLimit = null, bool controlFlow = false)
    {
        var devices = DefaultDevices();
        var costs = new RooflineCosts(new CostModel());
        var exact = new CpSatPlanner { TimeLimit = timeLimit ?? TimeSpan.FromSeconds(20) };
        var samples = new List<GapSample>();
        for (int k = 0; k < count; k++)
        {
            var graph = RandomGraph(nodes, new Random(seed + k), controlFlow);
            var heuristic = new HeftPlanner().Plan(graph, devices, costs);
            var optimum = exact.Plan(graph, devices, costs);
            samples.Add(new GapSample(seed + k, nodes, heuristic.LatencySeconds, optimum.Plan.LatencySeconds, optimum.Optimal));
        }

        return samples;
    }
}
