using System.Text.Json;
using AgentDsl.Ir;
using AgentDsl.Planning.Catalog;

namespace AgentDsl.Planning.Placement;

/// <summary>
/// The paper's objective: the cheapest placement whose end-to-end latency meets the SLA. Small problems
/// are solved exactly by enumerating every placement (and every option is reported); larger ones start
/// from the HEFT placement (the fastest) and greedily move nodes to cheaper devices while the SLA holds.
/// For an exact answer on larger graphs use the CP-SAT planner (AgentDsl.Planning.OrTools).
/// </summary>
public sealed class CostPlanner
{
    /// <summary>Enumerate exhaustively up to this many placements. Default 200,000.</summary>
    public long ExhaustiveLimit { get; init; } = 200_000;

    /// <summary>Finds the cheapest placement within the SLA (the graph's, or <paramref name="slaSeconds"/>).</summary>
    public CostPlan Plan(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(costs);
        double sla = slaSeconds ?? (graph.Sla.HasLatencyBound ? graph.Sla.LatencyMs / 1000 : double.PositiveInfinity);
        if (PlanChecks.CheckFit(graph, devices, costs) is { } memory)
        {
            return new CostPlan(new PlanResult { Problem = memory }, [], Exact: true);
        }

        var candidates = graph.Nodes.Select(node => Enumerable.Range(0, devices.Count).Where(d => costs.Fits(node, devices[d])).ToArray()).ToArray();
        double combinations = candidates.Aggregate(1.0, (acc, c) => acc * c.Length);
        if (combinations <= ExhaustiveLimit)
        {
            return Exhaustive(graph, devices, costs, candidates, sla);
        }

        return Greedy(graph, devices, costs, candidates, sla);
    }

    private static CostPlan Exhaustive(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, int[][] candidates, double sla)
    {
        int n = graph.Nodes.Length;
        var choice = new int[n];
        var placement = new int[n];
        var options = new List<PlanResult>();
        PlanResult? best = null, fastest = null;
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                placement[i] = candidates[i][choice[i]];
            }

            var result = Schedule.Evaluate(graph, devices, costs, placement);
            if (options.Count < 4096)
            {
                options.Add(result);
            }

            if (fastest is null || result.LatencySeconds < fastest.LatencySeconds)
            {
                fastest = result;
            }

            if (result.LatencySeconds <= sla + 1e-12 && (best is null || result.Cost < best.Cost - 1e-15 || (Math.Abs(result.Cost - best.Cost) <= 1e-15 && result.LatencySeconds < best.LatencySeconds)))
            {
                best = result;
            }

            int k = 0;
            while (k < n && ++choice[k] == candidates[k].Length)
            {
                choice[k++] = 0;
            }

            if (k == n)
            {
                break;
            }
        }

        var chosen = best ?? PlanChecks.CheckSla(graph, devices, costs, fastest!, sla);
        return new CostPlan(chosen, options, Exact: true);
    }

    private static CostPlan Greedy(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, int[][] candidates, double sla)
    {
        var heft = new HeftPlanner().Plan(graph, devices, costs, sla);
        if (!heft.Feasible)
        {
            return new CostPlan(heft, [], Exact: false);
        }

        var index = devices.Select((d, i) => (d.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var placement = heft.Nodes.Select(p => index[p.Device]).ToArray();
        var current = heft;
        bool improved = true;
        while (improved)
        {
            improved = false;
            PlanResult? bestMove = null;
            int bestNode = -1, bestDevice = -1;
            for (int i = 0; i < placement.Length; i++)
            {
                int was = placement[i];
                foreach (int d in candidates[i])
                {
                    if (d == was || costs.Cost(graph.Nodes[i], devices[d]) >= costs.Cost(graph.Nodes[i], devices[was]))
                    {
                        continue;
                    }

                    placement[i] = d;
                    var trial = Schedule.Evaluate(graph, devices, costs, placement);
                    if (trial.LatencySeconds <= sla + 1e-12 && trial.Cost < (bestMove?.Cost ?? current.Cost) - 1e-15)
                    {
                        (bestMove, bestNode, bestDevice) = (trial, i, d);
                    }
                }

                placement[i] = was;
            }

            if (bestMove is not null)
            {
                placement[bestNode] = bestDevice;
                current = bestMove;
                improved = true;
            }
        }

        return new CostPlan(current, [], Exact: false);
    }
}
