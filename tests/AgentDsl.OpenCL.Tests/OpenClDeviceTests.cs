using AgentDsl.Kernels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AgentDsl.OpenCL.Tests;

[Collection(OpenClCollection.Name)]
public class OpenClDeviceTests(OpenClFixture cl)
{
    [Fact]
    public void Discovery_ReportsWhatACostModelNeeds()
    {
        var info = cl.Device.Info;
        Assert.False(string.IsNullOrWhiteSpace(info.Name));
        Assert.False(string.IsNullOrWhiteSpace(info.Vendor));
        Assert.StartsWith("OpenCL ", info.Version, StringComparison.Ordinal);
        Assert.True(info.ComputeUnits > 0);
        Assert.True(info.GlobalMemoryBytes > 0 && info.LocalMemoryBytes > 0 && info.MaxAllocationBytes > 0);
        Assert.True(info.MaxWorkGroupSize > 0);
        Assert.Equal("opencl:0:0", info.Id);
        Assert.Equal(info.Kind, cl.Device.Descriptor.Kind);
        Assert.Contains(info.Name, info.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildFailure_CarriesTheBuildLogAndTheCSharpKernelName()
    {
        var broken = new KernelDefinition(
            "Broken.Kernel",
            "adsl_broken",
            "__kernel void adsl_broken(__global int* x, int x__length) { x[0] = no_such_variable; }",
            1,
            [new KernelParameter("x", KernelParameterKind.Buffer, KernelScalarType.Int32, false)],
            KernelRequirements.None,
            (_, _, _) => { });
        var error = await Assert.ThrowsAsync<KernelBuildException>(async () => await cl.Device.PrepareAsync(broken));
        Assert.Equal("Broken.Kernel", error.Kernel);
        Assert.Contains("no_such_variable", error.BuildLog, StringComparison.Ordinal);
        Assert.Contains("Broken.Kernel", error.Message, StringComparison.Ordinal);
        Assert.Equal(cl.Device.Name, error.Device);
    }

    [Fact]
    public async Task CompiledPrograms_AreCachedOnDisk_KeyedBySourceDeviceAndDriver()
    {
        string dir = Path.Combine(cl.CacheDirectory, "disk-" + Guid.NewGuid().ToString("N"));
        using (var first = new OpenClDevice(cl.Device.Info, dir))
        {
            await first.PrepareAsync(TestKernels.Kernels.Dot.Definition);
            await first.PrepareAsync(TestKernels.Kernels.Dot.Definition); // in memory: no second build
            Assert.Equal((1, 0), first.ProgramBuilds);
        }

        Assert.Single(Directory.GetFiles(dir, "*.clbin"));
        using var second = new OpenClDevice(cl.Device.Info, dir);
        await second.PrepareAsync(TestKernels.Kernels.Dot.Definition);
        Assert.Equal((0, 1), second.ProgramBuilds);

        // The cached binary runs correctly.
        var scores = new float[2];
        await TestKernels.Kernels.Dot.LaunchAsync(second, 2, new float[] { 1, 2, 3, 4 }, new float[] { 10, 1 }, scores, 2);
        Assert.Equal([12f, 34f], scores);
    }

    [Fact]
    public async Task KernelPipeline_KeepsIntermediateBuffersOnTheDevice()
    {
        using var device = new OpenClDevice(cl.Device.Info);
        const int N = 4096;
        float[] x = [.. Enumerable.Range(0, N).Select(i => (float)i)];
        using var input = new KernelBuffer<float>(x);
        using var middle = new KernelBuffer<float>(N);

        // y = 2x + 0, then y = 3y + y...: middle is produced on the device and consumed there.
        await TestKernels.Kernels.Saxpy.LaunchAsync(device, N, 2f, input, middle);
        var afterFirst = device.Transfers;
        Assert.Equal(2L * N * sizeof(float), afterFirst.HostToDevice); // input and middle uploaded once
        Assert.Equal(0, afterFirst.DeviceToHost);                      // nothing read back yet

        using var output = new KernelBuffer<float>(N);
        await TestKernels.Kernels.Saxpy.LaunchAsync(device, N, 1f, middle, output);
        var afterSecond = device.Transfers;
        Assert.Equal(afterFirst.HostToDevice + (N * sizeof(float)), afterSecond.HostToDevice); // only the new output buffer
        Assert.Equal(0, afterSecond.DeviceToHost);

        Assert.Equal(2f * 1000, output.AsReadOnlySpan()[1000]);                                // read back on demand
        Assert.Equal(N * sizeof(float), device.Transfers.DeviceToHost);
        Assert.Equal(2f * 77, middle.ToArray()[77]);
    }

    [Fact]
    public async Task BuffersWrittenOnTheHost_AreUploadedAgain()
    {
        using var device = new OpenClDevice(cl.Device.Info);
        using var x = new KernelBuffer<float>([1f, 2f]);
        using var y = new KernelBuffer<float>(2);
        await TestKernels.Kernels.Saxpy.LaunchAsync(device, 2, 1f, x, y);
        x.AsSpan()[0] = 100f;                       // host write makes the device copy stale
        await TestKernels.Kernels.Saxpy.LaunchAsync(device, 2, 1f, x, y);
        Assert.Equal([101f, 4f], y.ToArray());
    }

    [Fact]
    public async Task DeviceFailure_IsReported_AndTheKernelRunsOnTheCpu()
    {
        var failing = new FailingDevice();
        var reported = new List<(IKernelDevice, Exception)>();
        var devices = new KernelDevices([failing], (d, e) => reported.Add((d, e)));
        Assert.Same(failing, devices.For(TestKernels.Kernels.Saxpy.Definition));

        var y = new float[] { 1f, 1f };
        var ranOn = await devices.LaunchAsync(TestKernels.Kernels.Saxpy.Definition, d => TestKernels.Kernels.Saxpy.LaunchAsync(d, 2, 3f, new float[] { 1f, 2f }, y));

        Assert.Same(ManagedKernelDevice.Instance, ranOn);
        Assert.Equal([4f, 7f], y);
        var (device, reason) = Assert.Single(reported);
        Assert.Same(failing, device);
        Assert.IsType<KernelDeviceException>(reason);
        Assert.True(devices.IsFailed(failing));
        Assert.Same(ManagedKernelDevice.Instance, devices.For(TestKernels.Kernels.Saxpy.Definition));
        devices.Restore(failing);
        Assert.Same(failing, devices.For(TestKernels.Kernels.Saxpy.Definition));
    }

    [Fact]
    public async Task Hosting_BuildsKernelsDuringStartUp_AndPrefersOpenCl()
    {
        string dir = Path.Combine(cl.CacheDirectory, "host-" + Guid.NewGuid().ToString("N"));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentDsl().AddOpenClDevices(o => o.CacheDirectory = dir);
        using var host = builder.Build();
        await host.StartAsync();

        var set = host.Services.GetRequiredService<OpenClDeviceSet>();
        var device = Assert.Single(set.Devices, d => d.Info.Id == cl.Device.Info.Id);
        int registered = KernelRegistry.All.Count(device.Supports);
        Assert.True(registered >= 15, $"only {registered} kernels registered");
        Assert.Equal(registered, device.ProgramBuilds.FromSource + device.ProgramBuilds.FromCache); // all built before any request

        var kernels = host.Services.GetRequiredService<KernelDevices>();
        Assert.Same(device, kernels.For(TestKernels.Kernels.Dot.Definition));
        Assert.Same(ManagedKernelDevice.Instance, kernels.All[^1]);
        await host.StopAsync();
    }

    [Fact]
    public async Task NoOpenClDevice_LogsOnce_AndUsesTheCpu()
    {
        var logs = new List<(LogLevel, EventId, string)>();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ListLoggerProvider(logs));
        builder.Services.AddAgentDsl().AddOpenClDevices(o => { o.DeviceNameFilter = "no-such-device"; o.RequirePlatform = false; });
        using var host = builder.Build();
        await host.StartAsync();

        var kernels = host.Services.GetRequiredService<KernelDevices>();
        Assert.Same(ManagedKernelDevice.Instance, kernels.For(TestKernels.Kernels.Dot.Definition));
        Assert.Single(logs, l => l.Item2.Id == AgentDsl.Telemetry.AgentDslEventIds.NoOpenClPlatform);
        await host.StopAsync();
    }

    [Fact]
    public void RequiredButMissing_FailsWithTheFix()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentDsl().AddOpenClDevices(o => { o.DeviceNameFilter = "no-such-device"; o.RequirePlatform = true; });
        using var host = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<OpenClDeviceSet>());
        Assert.Contains("pocl-opencl-icd", error.Message, StringComparison.Ordinal);
    }

    private sealed class FailingDevice : IKernelDevice
    {
        public string Name => "failing-gpu";

        public AgentDsl.DeviceKinds Kind => AgentDsl.DeviceKinds.Gpu;

        public bool Supports(KernelDefinition kernel) => true;

        public ValueTask PrepareAsync(KernelDefinition kernel, CancellationToken cancellationToken = default) => default;

        public ValueTask LaunchAsync(KernelLaunch launch, CancellationToken cancellationToken = default) =>
            throw new KernelDeviceException(Name, "CL_OUT_OF_RESOURCES (simulated)");
    }

    private sealed class ListLoggerProvider(List<(LogLevel, EventId, string)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs);

        public void Dispose()
        {
        }

        private sealed class Logger(List<(LogLevel, EventId, string)> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (logs)
                {
                    logs.Add((logLevel, eventId, formatter(state, exception)));
                }
            }
        }
    }
}
