using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;

namespace AgentDsl.Planning.OrTools;

/// <summary>One generated problem: the heuristic's and the exact latency.</summary>
public sealed record GapSample(int Seed, int Nodes, double HeuristicSeconds, double ExactSeconds, bool Optimal)
{
    /// <summary>(heuristic − exact) / exact.</summary>
    public double Gap => (HeuristicSeconds - ExactSeconds) / ExactSeconds;
}

/// <summary>
/// Measures HEFT's latency gap to the CP-SAT optimum on generated graphs: random layered DAGs whose nodes
/// mix compute-bound and bandwidth-bound work of varied size, on a few devices of different catalog types.
/// </summary>
public static class GapHarness
{
    /// <summary>Generates a layered random DAG of <paramref name="nodes"/> nodes.</summary>
    public static GraphDefinition RandomGraph(int nodes, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var list = new List<NodeDefinition>();
        for (int i = 0; i < nodes; i++)
        {
            var inputs = new List<NodeInput>();
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
            double scale = Math.Pow(10, rng.NextDouble() * 2); // 1x to 100x
            list.Add(new NodeDefinition(i, "n" + i, "op" + i, computeBound ? OperatorKind.Model : OperatorKind.Compute, "float[]", false, inputs)
            {
                Cost = new CostHints
                {
                    Flops = computeBound ? 5e11 * scale : 1e9 * scale,
                    BytesMoved = computeBound ? 1e8 * scale : 5e9 * scale,
                    Model = new ModelDescription { Precision = Precision.Fp16 },
                },
                OutputBytes = 1e8 * rng.NextDouble(),
            });
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
    public static IReadOnlyList<GapSample> Measure(int seed, int count, int nodes, TimeSpan? timeLimit = null)
    {
        var devices = DefaultDevices();
        var costs = new RooflineCosts(new CostModel());
        var exact = new CpSatPlanner { TimeLimit = timeLimit ?? TimeSpan.FromSeconds(20) };
        var samples = new List<GapSample>();
        for (int k = 0; k < count; k++)
        {
            var graph = RandomGraph(nodes, new Random(seed + k));
            var heuristic = new HeftPlanner().Plan(graph, devices, costs);
            var optimum = exact.Plan(graph, devices, costs);
            samples.Add(new GapSample(seed + k, nodes, heuristic.LatencySeconds, optimum.Plan.LatencySeconds, optimum.Optimal));
        }

        return samples;
    }
}
