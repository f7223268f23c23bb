using AgentDsl.Devices;
using AgentDsl.Telemetry;
using AgentDsl.Hosting;
using AgentDsl.Kernels;
using AgentDsl.OpenCL;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentDsl.OpenCL
{
    /// <summary>Options of the OpenCL backend (configuration section <c>AgentDsl:OpenCL</c> with <c>UseAgentDsl</c>).</summary>
    public sealed class OpenClOptions
    {
        /// <summary>The subsection of <c>AgentDsl</c>: <c>OpenCL</c>.</summary>
        public const string SectionName = "OpenCL";

        /// <summary>The environment variable that makes a missing OpenCL platform an error: <c>AGENTDSL_REQUIRE_OPENCL=1</c> (CI sets it).</summary>
        public const string RequireVariable = "AGENTDSL_REQUIRE_OPENCL";

        /// <summary>Use OpenCL devices at all. Default true.</summary>
        public bool Enabled { get; set; } = true;

        /// <summary>Fail at start-up when no OpenCL device is found. Default: whether <see cref="RequireVariable"/> is <c>1</c>.</summary>
        public bool RequirePlatform { get; set; } = Environment.GetEnvironmentVariable(RequireVariable) == "1";

        /// <summary>Only devices whose name contains this text (case-insensitive); null for all.</summary>
        public string? DeviceNameFilter { get; set; }

        /// <summary>Where compiled program binaries are cached; null or empty disables the disk cache. Default: <c>{LocalApplicationData}/AgentDsl/opencl-cache</c>.</summary>
        public string? CacheDirectory { get; set; } = DefaultCacheDirectory();

        private static string DefaultCacheDirectory()
        {
            string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return Path.Combine(string.IsNullOrEmpty(root) ? Path.GetTempPath() : root, "AgentDsl", "opencl-cache");
        }
    }

    /// <summary>The OpenCL devices of this machine, opened once. With none, it logs why once and the runtime uses the CPU.</summary>
    public sealed partial class OpenClDeviceSet : IDeviceSource, IDisposable
    {
        private readonly List<OpenClDevice> _devices = [];
        private readonly ILogger _logger;

        /// <summary>Discovers and opens the devices.</summary>
        /// <exception cref="InvalidOperationException">None found while <see cref="OpenClOptions.RequirePlatform"/> is set.</exception>
        public OpenClDeviceSet(IOptions<OpenClOptions> options, ILogger<OpenClDeviceSet> logger)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(logger);
            _logger = logger;
            var o = options.Value;
            string? problem = "disabled by configuration (AgentDsl:OpenCL:Enabled=false)";
            if (o.Enabled)
            {
                var (found, why) = OpenClDeviceInfo.Discover();
                problem = why;
                foreach (var info in found.Where(d => o.DeviceNameFilter is null || d.Name.Contains(o.DeviceNameFilter, StringComparison.OrdinalIgnoreCase)))
                {
                    _devices.Add(new OpenClDevice(info, string.IsNullOrEmpty(o.CacheDirectory) ? null : o.CacheDirectory, logger));
                    LogDevice(info.ToString());
                }

                if (found.Count > 0 && _devices.Count == 0)
                {
                    problem = $"no device matches the filter '{o.DeviceNameFilter}'";
                }
            }

            if (_devices.Count == 0)
            {
                if (o.RequirePlatform)
                {
                    throw new InvalidOperationException(
                        $"OpenCL is required ({OpenClOptions.RequireVariable}=1) but {problem}. Install an OpenCL platform, for example 'apt-get install pocl-opencl-icd ocl-icd-libopencl1'.");
                }

                LogNoPlatform(problem ?? "no devices");
            }
        }

        /// <summary>The opened devices.</summary>
        public IReadOnlyList<OpenClDevice> Devices => _devices;

        /// <inheritdoc/>
        public IReadOnlyList<IAgentDevice> AgentDevices => _devices;

        /// <inheritdoc/>
        public IReadOnlyList<IKernelDevice> KernelDevices => _devices;

        /// <inheritdoc/>
        public void Dispose()
        {
            foreach (var device in _devices)
            {
                device.Dispose();
            }
        }

        [LoggerMessage(EventId = AgentDslEventIds.DevicesDiscovered, Level = LogLevel.Debug, Message = "OpenCL device: {Device}")]
        private partial void LogDevice(string device);

        [LoggerMessage(EventId = AgentDslEventIds.NoOpenClPlatform, Level = LogLevel.Warning, Message = "No OpenCL device will be used ({Reason}); kernels run on the managed CPU device")]
        private partial void LogNoPlatform(string reason);
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Registers the OpenCL backend.</summary>
    public static class OpenClAgentDslBuilderExtensions
    {
        /// <summary>
        /// Adds every OpenCL device of the machine as a kernel device and a runtime device. Kernels are
        /// compiled for them while the host starts. With no OpenCL platform, the runtime logs it once
        /// and runs kernels on the CPU (unless <see cref="OpenClOptions.RequirePlatform"/>).
        /// </summary>
        public static IAgentDslBuilder AddOpenClDevices(this IAgentDslBuilder builder, Action<OpenClOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(builder);
            var options = builder.Services.AddOptions<OpenClOptions>();
            if (builder.Configuration is not null)
            {
                options.Bind(builder.Configuration.GetSection(OpenClOptions.SectionName));
            }

            if (configure is not null)
            {
                options.Configure(configure);
            }

            if (!builder.Services.Any(d => d.ServiceType == typeof(OpenClDeviceSet)))
            {
                // The runtime's check of unknown keys then checks AgentDsl:OpenCL against OpenClOptions.
                builder.Services.AddSingleton(new AgentDslConfigurationSection(OpenClOptions.SectionName, typeof(OpenClOptions)));
            }

            builder.Services.TryAddSingleton<OpenClDeviceSet>();
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceSource, OpenClDeviceSet>(sp => sp.GetRequiredService<OpenClDeviceSet>()));
            return builder;
        }
    }
}
