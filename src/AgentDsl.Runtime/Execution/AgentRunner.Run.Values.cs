using System.Diagnostics;
using System.Globalization;
using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Ir;

namespace AgentDsl.Execution;

public sealed partial class AgentRunner<TGraph>
{
    /// <summary>The flow's semantics over the values of a request: merges pick the taken path's version, guards decide what runs, and which return is the output.</summary>
    private sealed partial class Run
    {
        /// <summary>Stores the first input of a merge node whose node ran; false when none did.</summary>
        private bool TryMerge(NodeDefinition node)
        {
            foreach (var input in node.Inputs)
            {
                switch (input.Value)
                {
                    case { Source: ValueSource.Input, Index: var i }:
                        Values.SetResult(node.Id, Values.Input(i));
                        return true;
                    case { Source: ValueSource.Node, Index: var n } when !_nodes[n].Skipped:
                        Values.SetResult(node.Id, Values.Result(n));
                        return true;
                }
            }

            return false;
        }

        /// <summary>Whether every guard's deciding node ran and returned the value the guard needs.</summary>
        private bool GuardsHold(IReadOnlyList<NodeGuard> guards)
        {
            foreach (var guard in guards)
            {
                if (_nodes[guard.Node].Skipped || Values.Result(guard.Node) is not bool decided || decided != guard.When)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The value of the return the flow took: the first whose guards hold.</summary>
        private object? SelectOutput()
        {
            foreach (var ret in _runner._definition.Returns)
            {
                if (!GuardsHold(ret.Guards))
                {
                    continue;
                }

                return ret.Value switch
                {
                    { Source: ValueSource.Node, Index: var n } when _nodes[n].Skipped => throw new InvalidOperationException(
                        $"The flow's return reads {_runner._definition.Nodes[n].Describe()}, which was skipped by its condition."),
                    { Source: ValueSource.Node, Index: var n } => Values.Result(n),
                    { Source: ValueSource.Input, Index: var i } => Values.Input(i),
                    _ => null,
                };
            }

            if (_runner._definition.Returns.Length > 0)
            {
                throw new InvalidOperationException($"No return of flow '{_runner._definition.Flow}' was reached: the guards of its {_runner._definition.Returns.Length} returns all failed.");
            }

            return null;
        }
    }
}
