using Silk.NET.OpenCL;

namespace AgentDsl.OpenCL;

/// <summary>What an OpenCL device offers, as a cost model needs it.</summary>
public sealed record OpenClDeviceInfo
{
    /// <summary>Platform index.</summary>
    public int PlatformIndex { get; init; }

    /// <summary>Device index within the platform.</summary>
    public int DeviceIndex { get; init; }

    /// <summary>Platform name (for example <c>Portable Computing Language</c>).</summary>
    public required string PlatformName { get; init; }

    /// <summary>Device name.</summary>
    public required string Name { get; init; }

    /// <summary>Vendor.</summary>
    public required string Vendor { get; init; }

    /// <summary>OpenCL version string of the device.</summary>
    public required string Version { get; init; }

    /// <summary>Driver version.</summary>
    public required string DriverVersion { get; init; }

    /// <summary>OpenCL C version string.</summary>
    public required string OpenClCVersion { get; init; }

    /// <summary>Device class.</summary>
    public DeviceKinds Kind { get; init; }

    /// <summary>Compute units.</summary>
    public int ComputeUnits { get; init; }

    /// <summary>Maximum clock in MHz.</summary>
    public int MaxClockMHz { get; init; }

    /// <summary>Global memory in bytes.</summary>
    public long GlobalMemoryBytes { get; init; }

    /// <summary>Local memory per work-group in bytes.</summary>
    public long LocalMemoryBytes { get; init; }

    /// <summary>Largest single allocation in bytes.</summary>
    public long MaxAllocationBytes { get; init; }

    /// <summary>Largest work-group.</summary>
    public int MaxWorkGroupSize { get; init; }

    /// <summary>Double precision support.</summary>
    public bool SupportsFp64 { get; init; }

    /// <summary>Half precision arithmetic support (<c>cl_khr_fp16</c>).</summary>
    public bool SupportsFp16 { get; init; }

    /// <summary>Correctly rounded single-precision divide and sqrt.</summary>
    public bool CorrectlyRoundedDivideSqrt { get; init; }

    /// <summary>Extensions.</summary>
    public required IReadOnlyList<string> Extensions { get; init; }

    /// <summary>The runtime device name: <c>opencl:{platform}:{device}</c>.</summary>
    public string Id => $"opencl:{PlatformIndex}:{DeviceIndex}";

    internal nint PlatformHandle { get; init; }

    internal nint DeviceHandle { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Id} {Name} ({Vendor}; {Kind}; {ComputeUnits} CU @ {MaxClockMHz} MHz; {GlobalMemoryBytes / (1024 * 1024)} MiB; {Version}; fp64 {(SupportsFp64 ? "yes" : "no")}, fp16 {(SupportsFp16 ? "yes" : "no")})";

    /// <summary>Every platform and device this machine's ICD loader knows; empty (with a reason) when there are none.</summary>
    public static unsafe (IReadOnlyList<OpenClDeviceInfo> Devices, string? Problem) Discover()
    {
        var (cl, error) = OpenClNative.Api;
        if (cl is null)
        {
            return ([], error);
        }

        uint platformCount;
        int status = cl.GetPlatformIDs(0, null, &platformCount);
        if (status == -1001 || platformCount == 0)
        {
            return ([], "no OpenCL platform is installed (no ICD in /etc/OpenCL/vendors)");
        }

        OpenClNative.Check(status, "clGetPlatformIDs");
        var platforms = new nint[platformCount];
        fixed (nint* p = platforms)
        {
            OpenClNative.Check(cl.GetPlatformIDs(platformCount, p, null), "clGetPlatformIDs");
        }

        var devices = new List<OpenClDeviceInfo>();
        for (int pi = 0; pi < platforms.Length; pi++)
        {
            uint deviceCount;
            if (cl.GetDeviceIDs(platforms[pi], DeviceType.All, 0, null, &deviceCount) != 0 || deviceCount == 0)
            {
                continue;
            }

            var ids = new nint[deviceCount];
            fixed (nint* d = ids)
            {
                OpenClNative.Check(cl.GetDeviceIDs(platforms[pi], DeviceType.All, deviceCount, d, null), "clGetDeviceIDs");
            }

            string platformName = OpenClNative.PlatformString(cl, platforms[pi], PlatformInfo.Name);
            for (int di = 0; di < ids.Length; di++)
            {
                var id = ids[di];
                var extensions = OpenClNative.DeviceString(cl, id, DeviceInfo.Extensions).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                ulong type = OpenClNative.DeviceValue<ulong>(cl, id, DeviceInfo.Type);
                ulong fp64 = OpenClNative.DeviceValue<ulong>(cl, id, DeviceInfo.DoubleFPConfig);
                ulong fp32 = OpenClNative.DeviceValue<ulong>(cl, id, DeviceInfo.SingleFPConfig);
                devices.Add(new OpenClDeviceInfo
                {
                    PlatformIndex = pi,
                    DeviceIndex = di,
                    PlatformName = platformName,
                    Name = OpenClNative.DeviceString(cl, id, DeviceInfo.Name),
                    Vendor = OpenClNative.DeviceString(cl, id, DeviceInfo.Vendor),
                    Version = OpenClNative.DeviceString(cl, id, DeviceInfo.Version),
                    DriverVersion = OpenClNative.DeviceString(cl, id, DeviceInfo.DriverVersion),
#pragma warning disable CS0618 // CL_DEVICE_OPENCL_C_VERSION is deprecated in 3.0 but is what 1.2 devices answer
                    OpenClCVersion = OpenClNative.DeviceString(cl, id, DeviceInfo.OpenclCVersion),
#pragma warning restore CS0618
                    Kind = (type & 4) != 0 ? DeviceKinds.Gpu : (type & 8) != 0 ? DeviceKinds.Accelerator : DeviceKinds.Cpu,
                    ComputeUnits = (int)OpenClNative.DeviceValue<uint>(cl, id, DeviceInfo.MaxComputeUnits),
                    MaxClockMHz = (int)OpenClNative.DeviceValue<uint>(cl, id, DeviceInfo.MaxClockFrequency),
                    GlobalMemoryBytes = (long)OpenClNative.DeviceValue<ulong>(cl, id, DeviceInfo.GlobalMemSize),
                    LocalMemoryBytes = (long)OpenClNative.DeviceValue<ulong>(cl, id, DeviceInfo.LocalMemSize),
                    MaxAllocationBytes = (long)OpenClNative.DeviceValue<ulong>(cl, id, DeviceInfo.MaxMemAllocSize),
                    MaxWorkGroupSize = (int)OpenClNative.DeviceValue<nuint>(cl, id, DeviceInfo.MaxWorkGroupSize),
                    SupportsFp64 = fp64 != 0 || extensions.Contains("cl_khr_fp64"),
                    SupportsFp16 = extensions.Contains("cl_khr_fp16"),
                    CorrectlyRoundedDivideSqrt = (fp32 & (1UL << 7)) != 0,
                    Extensions = extensions,
                    PlatformHandle = platforms[pi],
                    DeviceHandle = id,
                });
            }
        }

        return devices.Count == 0 ? ([], "OpenCL platforms were found but they have no devices") : (devices, null);
    }
}
