using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AgentDsl.Devices;
using AgentDsl.Ir;
using AgentDsl.Kernels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Silk.NET.OpenCL;

namespace AgentDsl.OpenCL;

/// <summary>
/// One OpenCL device: its context and in-order queue, compiled programs (cached in memory and on
/// disk as program binaries keyed by source hash, device and driver), pooled buffers, and
/// asynchronous launches whose completion is a task. It is a kernel device and, for kernel and
/// model nodes, a runtime device: such a node's kernels then launch here.
/// </summary>
public sealed partial class OpenClDevice : IKernelDevice, IAgentDevice, IDisposable
{
    private readonly CL _cl;
    private readonly nint _context;
    private readonly nint _queue;
    private readonly string? _cacheDirectory;
    private readonly string _buildOptions;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<CompiledKernel>>> _programs = new();
    private readonly ConcurrentDictionary<long, ConcurrentBag<nint>> _pool = new();
    private readonly object _queueGate = new();
    private readonly System.Collections.Concurrent.BlockingCollection<(nint Event, TaskCompletionSource Completion)> _pending = new();
    private readonly Thread _completer;
    private int _disposed;

    /// <summary>Opens the device: creates its context and queue.</summary>
    /// <param name="info">The device, from <see cref="OpenClDeviceInfo.Discover"/>.</param>
    /// <param name="cacheDirectory">Where compiled program binaries are kept; null for no disk cache.</param>
    /// <param name="logger">Logger.</param>
    public unsafe OpenClDevice(OpenClDeviceInfo info, string? cacheDirectory = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        _cl = OpenClNative.Api.Api ?? throw new InvalidOperationException(OpenClNative.Api.Error);
        Info = info;
        _cacheDirectory = cacheDirectory;
        _logger = logger ?? NullLogger.Instance;
        _buildOptions = (info.OpenClCVersion.Contains("1.2", StringComparison.Ordinal) || info.OpenClCVersion.Contains(" 2.", StringComparison.Ordinal) || info.OpenClCVersion.Contains(" 3.", StringComparison.Ordinal)
                ? "-cl-std=CL1.2 " : string.Empty)
            + (info.CorrectlyRoundedDivideSqrt ? "-cl-fp32-correctly-rounded-divide-sqrt" : string.Empty);

        int status;
        nint device = info.DeviceHandle;
        _context = _cl.CreateContext(null, 1, &device, null, null, &status);
        OpenClNative.Check(status, "clCreateContext");
        _queue = _cl.CreateCommandQueue(_context, device, CommandQueueProperties.None, &status);
        OpenClNative.Check(status, "clCreateCommandQueue");
        // The queue is in order, so one thread waiting on each event in turn completes launches in order,
        // without native callbacks (whose delegate marshalling is not thread-safe in Silk.NET 2.23).
        _completer = new Thread(CompleteLaunches) { IsBackground = true, Name = "AgentDsl OpenCL " + info.Id };
        _completer.Start();
        Descriptor = new DeviceDescriptor(info.Id, info.Kind)
        {
            Vendor = info.Vendor,
            ComputeUnits = info.ComputeUnits,
            MaxConcurrency = 1,
            MemoryBytes = info.GlobalMemoryBytes,
        };
    }

    /// <summary>The device's properties.</summary>
    public OpenClDeviceInfo Info { get; }

    /// <inheritdoc/>
    public string Name => Info.Id + " (" + Info.Name + ")";

    /// <inheritdoc/>
    public DeviceKinds Kind => Info.Kind;

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <summary>How many programs were compiled from source, and how many were loaded from the disk cache.</summary>
    public (int FromSource, int FromCache) ProgramBuilds => (_fromSource, _fromCache);

    /// <summary>Bytes copied host to device and device to host so far.</summary>
    public (long HostToDevice, long DeviceToHost) Transfers => (Interlocked.Read(ref _hostToDevice), Interlocked.Read(ref _deviceToHost));

    private int _fromSource;
    private int _fromCache;
    private long _hostToDevice;
    private long _deviceToHost;

    /// <inheritdoc/>
    public bool Supports(KernelDefinition kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return Missing(kernel) is null;
    }

    /// <inheritdoc/>
    public ValueTask PrepareAsync(KernelDefinition kernel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return new ValueTask(GetKernelAsync(kernel));
    }

    /// <inheritdoc/>
    public async ValueTask LaunchAsync(KernelLaunch launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (Missing(launch.Kernel) is { } missing)
        {
            throw new NotSupportedException($"Kernel '{launch.Kernel.Name}' needs {missing}, which device '{Name}' lacks.");
        }

        var compiled = await GetKernelAsync(launch.Kernel).ConfigureAwait(false);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(compiled, launch, completion);

        try
        {
            await completion.Task.ConfigureAwait(false);
        }
        catch (OpenClException ex)
        {
            throw new KernelDeviceException(Name, $"kernel '{launch.Kernel.Name}' did not complete: {ex.Message}", ex);
        }

        for (int i = 0; i < launch.Arguments.Length; i++)
        {
            if (launch.Arguments[i].Buffer is { } buffer && !launch.Kernel.Parameters[i].IsReadOnly)
            {
                buffer.MarkDeviceWritten();
                if (buffer.SyncAfterLaunch)
                {
                    buffer.SyncToHost();
                }
            }
        }
    }

    /// <summary>Sets the arguments (uploading stale buffers) and enqueues the kernel; <paramref name="completion"/> completes when it has run.</summary>
    private unsafe void Enqueue(CompiledKernel compiled, KernelLaunch launch, TaskCompletionSource completion)
    {
            lock (compiled.Gate)
            {
                uint index = 0;
                for (int i = 0; i < launch.Arguments.Length; i++)
                {
                    var arg = launch.Arguments[i];
                    if (arg.Buffer is { } buffer)
                    {
                        nint mem = OnDevice(buffer);
                        Check(_cl.SetKernelArg(compiled.Kernel, index++, (nuint)sizeof(nint), &mem), "clSetKernelArg", launch.Kernel);
                        int length = buffer.Length;
                        Check(_cl.SetKernelArg(compiled.Kernel, index++, sizeof(int), &length), "clSetKernelArg", launch.Kernel);
                    }
                    else
                    {
                        ulong bits = arg.Bits;
                        nuint size = arg.Type switch
                        {
                            KernelScalarType.Int64 or KernelScalarType.UInt64 or KernelScalarType.Double => 8,
                            KernelScalarType.Half => 2,
                            _ => 4,
                        };
                        Check(_cl.SetKernelArg(compiled.Kernel, index++, size, &bits), "clSetKernelArg", launch.Kernel);
                    }
                }

                var global = stackalloc nuint[3] { (nuint)launch.Global.X, (nuint)launch.Global.Y, (nuint)launch.Global.Z };
                var local = stackalloc nuint[3];
                if (launch.Local is { } l)
                {
                    local[0] = (nuint)l.X;
                    local[1] = (nuint)l.Y;
                    local[2] = (nuint)l.Z;
                }

                nint evt;
                lock (_queueGate)
                {
                    Check(_cl.EnqueueNdrangeKernel(_queue, compiled.Kernel, (uint)launch.Kernel.Dimensions, null, global, launch.Local is null ? null : local, 0, null, &evt), "clEnqueueNDRangeKernel", launch.Kernel);
                }

                lock (_queueGate)
                {
                    _cl.Flush(_queue);
                }

                _pending.Add((evt, completion));
            }
    }

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Kind is OperatorKind.Kernel or OperatorKind.Model or OperatorKind.Memory
            && (node.Cost.MemoryFootprintBytes <= 0 || node.Cost.MemoryFootprintBytes <= Info.GlobalMemoryBytes);
    }

    /// <inheritdoc/>
    public async ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var previous = KernelDevices.Current;
        KernelDevices.Current = this;
        try
        {
            await work.InvokeManagedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            KernelDevices.Current = previous;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _pending.CompleteAdding();
        _completer.Join();
        _cl.Finish(_queue);
        foreach (var entry in _programs.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                _cl.ReleaseKernel(entry.Value.Result.Kernel);
                _cl.ReleaseProgram(entry.Value.Result.Program);
            }
        }

        foreach (var bag in _pool.Values)
        {
            while (bag.TryTake(out var mem))
            {
                _cl.ReleaseMemObject(mem);
            }
        }

        _cl.ReleaseCommandQueue(_queue);
        _cl.ReleaseContext(_context);
    }

    private string? Missing(KernelDefinition kernel)
    {
        if ((kernel.Requirements & KernelRequirements.Fp64) != 0 && !Info.SupportsFp64)
        {
            return "double precision (cl_khr_fp64)";
        }

        if ((kernel.Requirements & KernelRequirements.Fp16) != 0 && !Info.SupportsFp16)
        {
            return "half precision (cl_khr_fp16)";
        }

        return null;
    }

    private void Check(int status, string function, KernelDefinition kernel)
    {
        if (status == 0)
        {
            return;
        }

        var error = new OpenClException(status, function);
        if (status is -5 or -6 or -4 or -36 or -34)
        {
            throw new KernelDeviceException(Name, $"{error.Message} while launching kernel '{kernel.Name}'", error);
        }

        throw new KernelExecutionException(kernel.Name, Name, error);
    }

    private unsafe void CompleteLaunches()
    {
        foreach (var (evt, completion) in _pending.GetConsumingEnumerable())
        {
            nint e = evt;
            int status = _cl.WaitForEvents(1, &e);
            int execution = 0;
            if (status == 0)
            {
                _cl.GetEventInfo(e, EventInfo.CommandExecutionStatus, sizeof(int), &execution, null);
            }

            _cl.ReleaseEvent(e);
            if (status != 0 || execution < 0)
            {
                completion.TrySetException(new OpenClException(status != 0 ? status : execution, status != 0 ? "clWaitForEvents" : "kernel execution"));
            }
            else
            {
                completion.TrySetResult();
            }
        }
    }
}
