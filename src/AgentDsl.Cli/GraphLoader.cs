using System.CommandLine;
using System.Globalization;
using System.Reflection;
using AgentDsl.Ir;
using AgentDsl.OpenCL;
using AgentDsl.Planning;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using AgentDsl.Planning.Placement;
using AgentDsl.Planning.Tco;

namespace AgentDsl.Cli;

/// <summary>Loads a graph definition from a built assembly or an IR JSON file.</summary>
public static class GraphLoader
{
    /// <summary>Loads the graph at <paramref name="path"/>; <paramref name="type"/> picks one when there are several.</summary>
    public static GraphDefinition Load(string path, string? type)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such graph file: {path}");
        }

        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return GraphImport.FromJson(File.ReadAllText(path), path);
        }

        var assembly = Assembly.LoadFrom(path);
        var graphs = assembly.GetTypes()
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition().FullName == "AgentDsl.IAgentGraph`1" && i.GetGenericArguments()[0] == t))
            .Select(t => (Type: t, Definition: (GraphDefinition)t.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!))
            .ToList();
        if (graphs.Count == 0)
        {
            throw new ArgumentException($"{path} has no [AgentGraph] classes.");
        }

        if (type is not null)
        {
            return graphs.FirstOrDefault(g => g.Type.FullName == type || g.Type.Name == type || g.Definition.Name == type).Definition
                ?? throw new ArgumentException($"{path} has no graph '{type}'; it has {string.Join(", ", graphs.Select(g => g.Type.FullName))}.");
        }

        return graphs.Count == 1
            ? graphs[0].Definition
            : throw new ArgumentException($"{path} has {graphs.Count} graphs ({string.Join(", ", graphs.Select(g => g.Type.FullName))}); pick one with --type.");
    }
}
