using System.Diagnostics;
using AgentDsl.Ir;
using AgentDsl.Planning.Placement;
using Google.OrTools.Sat;

namespace AgentDsl.Planning.OrTools;

/// <summary>What the exact planner optimises.</summary>
public enum ExactObjective
{
    /// <summary>End-to-end latency (makespan).</summary>
    Latency,

    /// <summary>Price per request, subject to latency within the SLA (the paper's objective).</summary>
    Cost,
}

/// <summary>The exact planner's answer: the plan (re-evaluated with exact times), whether optimality was proven, and the solve time.</summary>
public sealed record ExactPlan(PlanResult Plan, bool Optimal, double SolveSeconds, string Status)
{
    /// <summary>
    /// The makespan of the solver's own solution (its integer-microsecond model), seconds; <see langword="null"/> when the
    /// solver returned none. The model and <see cref="PlanEvaluator"/> share the graph's dependencies, so it equals the
    /// re-evaluated plan's latency up to that rounding.
    /// </summary>
    public double? SolverMakespanSeconds { get; init; }
}

/// <summary>
/// Exact placement with Google OR-Tools CP-SAT: one Boolean per (node, device), one optional interval per
/// (node, device) with a no-overlap constraint per device, precedence with the transfer time of the devices
/// chosen at both ends, the device's current backlog, and memory as a hard constraint. Times are integer
/// microseconds; the returned plan is re-evaluated with exact times. Meant for problems small enough to solve
/// to optimality (tens of nodes); the heuristics in AgentDsl.Planning scale further.
/// </summary>
public sealed class CpSatPlanner
{
    /// <summary>Solver time limit. Default 30 s.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Solver worker threads. Default: the machine's processor count.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Solves the placement.</summary>
    public ExactPlan Plan(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, ExactObjective objective = ExactObjective.Latency, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(costs);
        double sla = slaSeconds ?? (graph.Sla.HasLatencyBound ? graph.Sla.LatencyMs / 1000 : double.PositiveInfinity);
        int n = graph.Nodes.Length, m = devices.Count;
        static long Ticks(double seconds) => (long)Math.Ceiling(seconds * 1e6);

        var fits = new bool[n, m];
        for (int i = 0; i < n; i++)
        {
            bool any = false;
            for (int d = 0; d < m; d++)
            {
                fits[i, d] = costs.Fits(graph.Nodes[i], devices[d]);
                any |= fits[i, d];
            }

            if (!any)
            {
                var result = new HeftPlanner().Plan(graph, devices, costs, sla); // reports which constraint binds
                return new ExactPlan(result, Optimal: true, 0, "INFEASIBLE");
            }
        }

        // Horizon: everything serialised on the slowest choices, plus every transfer and backlog.
        long horizon = 1;
        for (int i = 0; i < n; i++)
        {
            long slowest = 0;
            for (int d = 0; d < m; d++)
            {
                if (fits[i, d])
                {
                    slowest = Math.Max(slowest, Ticks(costs.Seconds(graph.Nodes[i], devices[d])));
                }
            }

            horizon += slowest;
            foreach (int s in graph.DependentsOf(i))
            {
                long comm = 0;
                for (int a = 0; a < m; a++)
                {
                    for (int b = 0; b < m; b++)
                    {
                        comm = Math.Max(comm, Ticks(costs.TransferSeconds(graph.Nodes[i], devices[a], devices[b])));
                    }
                }

                horizon += comm;
            }
        }

        horizon += devices.Max(d => Ticks(d.ReadyAt));

        var model = new CpModel();
        var x = new BoolVar?[n, m];
        var start = new IntVar[n];
        var end = new IntVar[n];
        var intervals = Enumerable.Range(0, m).Select(_ => new List<IntervalVar>()).ToArray();
        var makespan = model.NewIntVar(0, horizon, "makespan");
        for (int i = 0; i < n; i++)
        {
            start[i] = model.NewIntVar(0, horizon, $"start{i}");
            end[i] = model.NewIntVar(0, horizon, $"end{i}");
            var choices = new List<ILiteral>();
            for (int d = 0; d < m; d++)
            {
                if (!fits[i, d])
                {
                    continue;
                }

                var chosen = model.NewBoolVar($"x{i}_{d}");
                x[i, d] = chosen;
                choices.Add(chosen);
                long duration = Ticks(costs.Seconds(graph.Nodes[i], devices[d]));
                model.Add(end[i] == start[i] + duration).OnlyEnforceIf(chosen);
                model.Add(start[i] >= Ticks(devices[d].ReadyAt)).OnlyEnforceIf(chosen);
                intervals[d].Add(model.NewOptionalFixedSizeIntervalVar(start[i], duration, chosen, $"iv{i}_{d}"));
            }

            model.AddExactlyOne(choices);
            model.Add(makespan >= end[i]);
        }

        for (int d = 0; d < m; d++)
        {
            model.AddNoOverlap(intervals[d]);
        }

        var transferCostTerms = new List<(BoolVar Both, double Cost)>();
        for (int s = 0; s < n; s++)
        {
            foreach (int p in graph.PredecessorsOf(s))
            {
                model.Add(start[s] >= end[p]);
                for (int a = 0; a < m; a++)
                {
                    for (int b = 0; b < m; b++)
                    {
                        if (x[p, a] is not { } xa || x[s, b] is not { } xb)
                        {
                            continue;
                        }

                        long comm = Ticks(costs.TransferSeconds(graph.Nodes[p], devices[a], devices[b]));
                        if (comm > 0)
                        {
                            model.Add(start[s] >= end[p] + comm).OnlyEnforceIf([xa, xb]);
                        }

                        double transferCost = costs.TransferCost(graph.Nodes[p], devices[a], devices[b]);
                        if (objective == ExactObjective.Cost && transferCost > 0)
                        {
                            var both = model.NewBoolVar($"y{p}_{s}_{a}_{b}");
                            model.AddBoolOr([xa.Not(), xb.Not(), both]); // both ≥ xa ∧ xb
                            transferCostTerms.Add((both, transferCost));
                        }
                    }
                }
            }
        }

        if (objective == ExactObjective.Latency)
        {
            model.Minimize(makespan);
        }
        else
        {
            if (double.IsFinite(sla))
            {
                model.Add(makespan <= (long)Math.Floor(sla * 1e6));
            }

            // Prices in micro-dollars (integers); ties broken towards lower latency.
            var terms = new List<LinearExpr>();
            for (int i = 0; i < n; i++)
            {
                for (int d = 0; d < m; d++)
                {
                    if (x[i, d] is { } v)
                    {
                        terms.Add(v * (long)Math.Round(costs.Cost(graph.Nodes[i], devices[d]) * 1e9));
                    }
                }
            }

            terms.AddRange(transferCostTerms.Select(t => t.Both * (long)Math.Round(t.Cost * 1e9)));
            model.Minimize(LinearExpr.Sum(terms) * (horizon + 1) + makespan);
        }

        var solver = new CpSolver
        {
            StringParameters = $"max_time_in_seconds:{TimeLimit.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} num_workers:{Math.Max(1, Workers)} random_seed:1",
        };
        var watch = Stopwatch.StartNew();
        var status = solver.Solve(model);
        watch.Stop();
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            // Infeasible under the SLA (cost mode) or no solution in time: report the binding constraint from the fastest plan.
            var fastest = new HeftPlanner().Plan(graph, devices, costs, sla);
            return new ExactPlan(fastest, status == CpSolverStatus.Infeasible, watch.Elapsed.TotalSeconds, status.ToString());
        }

        var placement = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int d = 0; d < m; d++)
            {
                if (x[i, d] is { } v && solver.BooleanValue(v))
                {
                    placement[i] = d;
                }
            }
        }

        // Re-evaluate with exact times, in the solver's start order (the list schedule reproduces it).
        var order = Enumerable.Range(0, n).OrderBy(i => solver.Value(start[i])).ThenBy(i => i).ToArray();
        var plan = PlanEvaluator.Evaluate(graph, devices, costs, placement, sla, order);
        return new ExactPlan(plan, status == CpSolverStatus.Optimal, watch.Elapsed.TotalSeconds, status.ToString())
        {
            SolverMakespanSeconds = solver.Value(makespan) / 1e6,
        };
    }
}
