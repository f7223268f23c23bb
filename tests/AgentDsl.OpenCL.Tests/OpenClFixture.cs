using AgentDsl.Kernels;
using Xunit;

namespace AgentDsl.OpenCL.Tests;

/// <summary>
/// The OpenCL devices for the tests. No platform is a failure, never a skip: scripts/test.sh installs
/// PoCL, and CI sets AGENTDSL_REQUIRE_OPENCL=1 so the runtime itself refuses to start without one.
/// </summary>
public sealed class OpenClFixture : IDisposable
{
    public OpenClFixture()
    {
        var (infos, problem) = OpenClDeviceInfo.Discover();
        if (infos.Count == 0)
        {
            throw new InvalidOperationException(
                $"These tests need an OpenCL platform, and {problem}. Run scripts/test.sh (it installs pocl-opencl-icd) or install one.");
        }

        CacheDirectory = Path.Combine(Path.GetTempPath(), "agentdsl-tests-" + Guid.NewGuid().ToString("N"));
        Devices = [.. infos.Select(i => new OpenClDevice(i, CacheDirectory))];
    }

    public IReadOnlyList<OpenClDevice> Devices { get; }

    public OpenClDevice Device => Devices[0];

    public string CacheDirectory { get; }

    public void Dispose()
    {
        foreach (var device in Devices)
        {
            device.Dispose();
        }

        if (Directory.Exists(CacheDirectory))
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OpenClCollection : ICollectionFixture<OpenClFixture>
{
    public const string Name = "OpenCL";
}

/// <summary>Runs a launch on OpenCL and on the managed device with copies of the same inputs and compares every output buffer.</summary>
internal static class Compare
{
    public static void Exact<T>(T[] expected, T[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            if (!EqualityComparer<T>.Default.Equals(expected[k], actual[k]))
            {
                Assert.Fail($"{what}[{k}]: managed {expected[k]}, OpenCL {actual[k]}");
            }
        }
    }

    /// <summary>Equal within <paramref name="relative"/> (NaN equals NaN, infinities must match, tiny values compared absolutely).</summary>
    public static void Close(float[] expected, float[] actual, string what, float relative = 1e-5f, float absolute = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            float e = expected[k], a = actual[k];
            if (float.IsNaN(e) && float.IsNaN(a))
            {
                continue;
            }

            if (float.IsInfinity(e) || float.IsInfinity(a))
            {
                Assert.True(e == a, $"{what}[{k}]: managed {e}, OpenCL {a}");
                continue;
            }

            float error = MathF.Abs(e - a);
            Assert.True(error <= absolute || error <= relative * MathF.Max(MathF.Abs(e), MathF.Abs(a)), $"{what}[{k}]: managed {e:R}, OpenCL {a:R} (error {error:R})");
        }
    }

    public static void Close(double[] expected, double[] actual, string what, double relative = 1e-12, double absolute = 1e-14)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            double e = expected[k], a = actual[k];
            if (double.IsNaN(e) && double.IsNaN(a))
            {
                continue;
            }

            double error = Math.Abs(e - a);
            Assert.True(e == a || error <= absolute || error <= relative * Math.Max(Math.Abs(e), Math.Abs(a)), $"{what}[{k}]: managed {e:R}, OpenCL {a:R}");
        }
    }
}
