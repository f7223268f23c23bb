using System.Runtime.InteropServices;

namespace AgentDsl.Retrieval;

/// <summary>Finds the newest <c>Microsoft.NETCore.App.Ref</c> pack whose <c>ref/net10.0</c> holds documentation files.</summary>
internal static class ReferencePackLocator
{
    public const string TargetFramework = "net10.0";

    /// <summary>The .NET roots to look in, in order: <paramref name="explicitRoot"/>, <c>DOTNET_ROOT</c>, the <c>dotnet</c> on PATH (symlinks resolved), the runtime's root.</summary>
    public static List<string> CandidateRoots(string? explicitRoot)
    {
        var roots = new List<string>();
        void Add(string? root)
        {
            if (!string.IsNullOrWhiteSpace(root))
            {
                string full = Path.GetFullPath(root);
                if (!roots.Contains(full, StringComparer.Ordinal))
                {
                    roots.Add(full);
                }
            }
        }

        Add(explicitRoot);
        Add(Environment.GetEnvironmentVariable("DOTNET_ROOT"));
        Add(DotNetExecutableDirectory());

        // {root}/shared/Microsoft.NETCore.App/{version}/ → {root}
        Add(Ancestor(RuntimeEnvironment.GetRuntimeDirectory(), 3));
        Add(Ancestor(Path.GetDirectoryName(typeof(object).Assembly.Location), 3));
        return roots;
    }

    /// <summary>The newest pack directory with <c>*.xml</c> files across <paramref name="roots"/>, and its version; every path looked at goes to <paramref name="tried"/>.</summary>
    public static (string Directory, string Version)? Find(IReadOnlyList<string> roots, List<string> tried)
    {
        (string Directory, string Version)? best = null;
        foreach (string root in roots)
        {
            string packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
            if (!Directory.Exists(packs))
            {
                tried.Add(packs + " (missing)");
                continue;
            }

            foreach (string versionDirectory in Directory.GetDirectories(packs))
            {
                string version = Path.GetFileName(versionDirectory);
                string docs = Path.Combine(versionDirectory, "ref", TargetFramework);
                bool hasXml = Directory.Exists(docs) && Directory.EnumerateFiles(docs, "*.xml").Any();
                tried.Add(docs + (hasXml ? string.Empty : " (no *.xml)"));
                if (hasXml && (best is null || CompareVersions(version, best.Value.Version) > 0))
                {
                    best = (docs, version);
                }
            }
        }

        return best;
    }

    /// <summary>Orders pack versions: numerically by their dotted numbers, then a release above its pre-releases, then ordinally.</summary>
    public static int CompareVersions(string a, string b)
    {
        static (int[] Numbers, string Suffix) Parse(string v)
        {
            int dash = v.IndexOf('-', StringComparison.Ordinal);
            string core = dash < 0 ? v : v[..dash];
            int[] numbers = [.. core.Split('.').Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : -1)];
            return (numbers, dash < 0 ? string.Empty : v[(dash + 1)..]);
        }

        var (na, sa) = Parse(a);
        var (nb, sb) = Parse(b);
        for (int i = 0; i < Math.Max(na.Length, nb.Length); i++)
        {
            int x = i < na.Length ? na[i] : 0, y = i < nb.Length ? nb[i] : 0;
            if (x != y)
            {
                return x.CompareTo(y);
            }
        }

        return (sa.Length, sb.Length) switch
        {
            (0, 0) => 0,
            (0, _) => 1,
            (_, 0) => -1,
            _ => string.CompareOrdinal(sa, sb),
        };
    }

    private static string? DotNetExecutableDirectory()
    {
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate;
            try
            {
                candidate = Path.Combine(directory, name);
            }
            catch (ArgumentException)
            {
                continue;
            }

            if (!File.Exists(candidate))
            {
                continue;
            }

            try
            {
                var target = File.ResolveLinkTarget(candidate, returnFinalTarget: true);
                return Path.GetDirectoryName(target?.FullName ?? candidate);
            }
            catch (IOException)
            {
                return directory;
            }
        }

        return null;
    }

    private static string? Ancestor(string? directory, int levels)
    {
        string? current = directory is null ? null : Path.TrimEndingDirectorySeparator(directory);
        for (int i = 0; i < levels && current is not null; i++)
        {
            current = Path.GetDirectoryName(current);
        }

        return current;
    }
}
