using System.Diagnostics;
using AgentDsl.Ir;
using AgentDsl.Planning.Placement;
using Google.OrTools.Sat;

namespace AgentDsl.Planning.OrTools;

/// <summary>
/// Exact placement with Google OR-Tools CP-SAT: one Boolean per (node, device), one optional interval per
/// (node, device) with a no-overlap constraint per device, precedence with the transfer time of the devices
/// chosen at both ends, the device's current backlog, and memory as a hard constraint. Times are integer
/// microseconds; the returned plan is re-evaluated with exact times. Meant for problems small enough to solve
/// to optimality (tens of nodes); the heuristics in AgentDsl.Planning scale further.
/// <para>
/// The solver starts from the <see cref="HeftPlanner"/> plan: its placement and schedule are a complete solution hint,
/// and its objective value (makespan, or price then makespan) an upper bound, so the first solution is HEFT's and every
/// later one is at least as good. If the solver returns no solution in its time limit, or one that re-evaluates worse
/// than HEFT's (rounding to microseconds), HEFT's plan is returned: the exact planner is never worse than the heuristic.
/// </para>
/// </summary>
public sealed class CpSatPlanner
{
    /// <summary>Solver time limit. Default 30 s.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Solver worker threads. Default: the machine's processor count.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Solves the placement; never returns a plan worse than <see cref="HeftPlanner"/>'s for the same objective.</summary>
    public ExactPlan Plan(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, ExactObjective objective = ExactObjective.Latency, double? slaSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(costs);
        double sla = slaSeconds ?? (graph.Sla.HasLatencyBound ? graph.Sla.LatencyMs / 1000 : double.PositiveInfinity);
        int n = graph.Nodes.Length, m = devices.Count;

        // HEFT's plan: the solver's hint and bound, and the answer when the solver has none as good (it also reports which constraint binds).
        var heft = new HeftPlanner().Plan(graph, devices, costs, sla);
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
                return new ExactPlan(heft, Optimal: true, 0, "INFEASIBLE");
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
        var hint = HeftHint(graph, devices, costs, heft);
        horizon = Math.Max(horizon, hint.Makespan);

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
                model.AddHint(chosen, hint.Device[i] == d);
                choices.Add(chosen);
                long duration = Ticks(costs.Seconds(graph.Nodes[i], devices[d]));
                model.Add(end[i] == start[i] + duration).OnlyEnforceIf(chosen);
                model.Add(start[i] >= Ticks(devices[d].ReadyAt)).OnlyEnforceIf(chosen);
                intervals[d].Add(model.NewOptionalFixedSizeIntervalVar(start[i], duration, chosen, $"iv{i}_{d}"));
            }

            model.AddExactlyOne(choices);
            model.Add(makespan >= end[i]);
            model.AddHint(start[i], hint.Start[i]);
            model.AddHint(end[i], hint.End[i]);
        }

        model.AddHint(makespan, hint.Makespan);

        for (int d = 0; d < m; d++)
        {
            model.AddNoOverlap(intervals[d]);
        }

        var transferCostTerms = new List<(BoolVar Both, double HintCost, double Cost)>();
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
                            model.AddHint(both, hint.Device[p] == a && hint.Device[s] == b);
                            transferCostTerms.Add((both, hint.Device[p] == a && hint.Device[s] == b ? transferCost : 0, transferCost));
                        }
                    }
                }
            }
        }

        if (objective == ExactObjective.Latency)
        {
            model.Minimize(makespan);
            model.Add(makespan <= hint.Makespan); // HEFT's makespan bounds the optimum
        }
        else
        {
            long slaTicks = double.IsFinite(sla) ? (long)Math.Floor(sla * 1e6) : long.MaxValue;
            if (double.IsFinite(sla))
            {
                model.Add(makespan <= slaTicks);
            }

            // Prices in nano-dollars (integers); ties broken towards lower latency.
            static long Price(double usd) => (long)Math.Round(usd * 1e9);
            var terms = new List<LinearExpr>();
            long hintPrice = 0;
            for (int i = 0; i < n; i++)
            {
                for (int d = 0; d < m; d++)
                {
                    if (x[i, d] is { } v)
                    {
                        terms.Add(v * Price(costs.Cost(graph.Nodes[i], devices[d])));
                    }
                }

                hintPrice += Price(costs.Cost(graph.Nodes[i], devices[hint.Device[i]]));
            }

            terms.AddRange(transferCostTerms.Select(t => t.Both * Price(t.Cost)));
            hintPrice += transferCostTerms.Sum(t => Price(t.HintCost));
            var price = LinearExpr.Sum(terms) * (horizon + 1) + makespan;
            model.Minimize(price);
            if (hint.Makespan <= slaTicks)
            {
                model.Add(price <= (hintPrice * (horizon + 1)) + hint.Makespan); // HEFT's plan meets the SLA: its price bounds the optimum
            }
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
            // Infeasible under the SLA (cost mode) or no solution in time: HEFT's plan, which reports the binding constraint.
            return new ExactPlan(heft, status == CpSolverStatus.Infeasible, watch.Elapsed.TotalSeconds, status.ToString());
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
        bool worse = objective == ExactObjective.Latency
            ? plan.LatencySeconds > heft.LatencySeconds + 1e-12
            : heft.Feasible && (!plan.Feasible || plan.Cost > heft.Cost + 1e-15 || (plan.Cost >= heft.Cost - 1e-15 && plan.LatencySeconds > heft.LatencySeconds + 1e-12));
        return new ExactPlan(worse ? heft : plan, status == CpSolverStatus.Optimal, watch.Elapsed.TotalSeconds, worse ? $"{status}, HEFT's plan kept" : status.ToString())
        {
            SolverMakespanSeconds = solver.Value(makespan) / 1e6,
        };
    }

    /// <summary>Seconds as the model's integer microseconds, rounded up.</summary>
    private static long Ticks(double seconds) => (long)Math.Ceiling(seconds * 1e6);

    /// <summary>
    /// HEFT's plan as a solution of the model: its placement, and its per-device order replayed in integer microseconds
    /// (durations and transfers rounded up as the model rounds them), so that the hint satisfies every constraint.
    /// </summary>
    private static (int[] Device, long[] Start, long[] End, long Makespan) HeftHint(GraphDefinition graph, IReadOnlyList<PlanDevice> devices, IPlacementCosts costs, PlanResult heft)
    {
        int n = graph.Nodes.Length;
        var device = new int[n];
        var start = new long[n];
        var end = new long[n];
        if (heft.Nodes.Count != n)
        {
            return (device, start, end, 0); // no plan (nothing fits): the solver is not reached
        }

        var index = devices.Select((d, i) => (d.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var free = devices.Select(d => Ticks(d.ReadyAt)).ToArray();
        for (int i = 0; i < n; i++)
        {
            device[i] = index[heft.Nodes[i].Device];
        }

        // HEFT's start order is topological (a node starts after its predecessors finish; ties by id) and, per device, its sequence.
        foreach (int i in Enumerable.Range(0, n).OrderBy(i => heft.Nodes[i].Start).ThenBy(i => i))
        {
            int d = device[i];
            long ready = free[d];
            foreach (int p in graph.PredecessorsOf(i))
            {
                ready = Math.Max(ready, end[p] + Ticks(costs.TransferSeconds(graph.Nodes[p], devices[device[p]], devices[d])));
            }

            start[i] = ready;
            end[i] = ready + Ticks(costs.Seconds(graph.Nodes[i], devices[d]));
            free[d] = end[i];
        }

        return (device, start, end, n == 0 ? 0 : end.Max());
    }
}
