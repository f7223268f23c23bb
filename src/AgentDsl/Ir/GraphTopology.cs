// The dependency rule and the critical path of a graph, used by GraphDefinition (so the planners, the runtime and
// the CLI) and linked into AgentDsl.Analyzers (the placement diagnostics, on the generator's model), so "what waits
// for what" and "how long is the longest chain" have one answer. Keep it netstandard2.0-compilable.
#nullable enable
using System;
using System.Collections.Generic;

namespace AgentDsl.Ir.Topology
{
    /// <summary>What a node waits for, and the longest chain through a graph, on plain node ids.</summary>
    internal static class GraphTopology
    {
        /// <summary>
        /// The nodes a node waits for: those whose results it takes as arguments, the one whose result it fans out over
        /// (<paramref name="fanOutNode"/>, −1 for none or a graph input), and those its guards test (an <c>if</c> arm starts
        /// once its condition is decided). Each is listed once, in that order.
        /// </summary>
        public static int[] Predecessors(IEnumerable<int> argumentNodes, int fanOutNode, IEnumerable<int> guardNodes)
        {
            var result = new List<int>();
            foreach (int p in argumentNodes)
            {
                if (!result.Contains(p))
                {
                    result.Add(p);
                }
            }

            if (fanOutNode >= 0 && !result.Contains(fanOutNode))
            {
                result.Add(fanOutNode);
            }

            foreach (int p in guardNodes)
            {
                if (!result.Contains(p))
                {
                    result.Add(p);
                }
            }

            return result.ToArray();
        }

        /// <summary>
        /// The longest path through the graph with node <c>i</c> taking <paramref name="seconds"/>(i) and edges free: its
        /// length and its nodes, first to last. Node ids in ascending order are a topological order (every predecessor has a
        /// smaller id). Ties go to the lowest id, both for the last node and for the predecessor a node waits on; an
        /// all-zero graph's path is its first node. With branches this is the slowest arm (the worst request).
        /// </summary>
        public static (double Seconds, int[] Path) CriticalPath(IReadOnlyList<int[]> predecessors, Func<int, double> seconds)
        {
            int n = predecessors.Count;
            if (n == 0)
            {
                return (0, Array.Empty<int>());
            }

            var longest = new double[n];
            var cause = new int[n];
            int last = 0;
            for (int id = 0; id < n; id++)
            {
                double before = 0;
                cause[id] = -1;
                foreach (int p in predecessors[id])
                {
                    if (longest[p] > before)
                    {
                        before = longest[p];
                        cause[id] = p;
                    }
                }

                longest[id] = before + seconds(id);
                if (longest[id] > longest[last])
                {
                    last = id;
                }
            }

            var path = new List<int>();
            for (int id = last; id >= 0; id = cause[id])
            {
                path.Add(id);
            }

            path.Reverse();
            return (longest[last], path.ToArray());
        }
    }
}
