using System.Diagnostics;
using System.Globalization;
using AgentDsl.Devices;
using AgentDsl.Execution;
using AgentDsl.Ir;
using AgentDsl.Kernels;
using AgentDsl.Planning.Catalog;
using AgentDsl.Planning.Cost;
using LLama;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// A llama.cpp engine (through LLamaSharp) for the runtime: loads one GGUF model once, when the host starts, and
/// offers each configured context as a device (<see cref="LlamaContextDevice"/>). An LLM node placed on a context
/// runs there: the prompt is tokenized, prefilled, and answered by greedy decoding, its tokens streamed to the caller
/// (<see cref="AgentRequestOptions.OnText"/>). Per request the engine may prefill on another context and move the
/// KV state (<see cref="LlamaSplitPolicy"/>, chosen by the cost model); each phase is measured, reported in
/// <see cref="NodeRun.Phases"/> with its prediction, and recorded in the runtime's calibration store.
/// </summary>
public sealed partial class LlamaCppEngine : IDeviceSource, IDisposable
{
    private readonly ILogger _logger;
    private readonly LLamaWeights _weights;
    private readonly List<LlamaContextDevice> _contexts = [];
    private readonly CostModel _cost;

    /// <summary>Loads the model and creates the contexts.</summary>
    /// <param name="options">The engine's options.</param>
    /// <param name="logger">Where loading and llama.cpp's own warnings are logged.</param>
    /// <param name="calibration">The runtime's calibration store (measured phase times go there, and predictions come from it); null: the engine's own.</param>
    /// <exception cref="InvalidOperationException">The model file is missing or llama.cpp cannot load it.</exception>
    public LlamaCppEngine(IOptions<LlamaCppOptions> options, ILogger<LlamaCppEngine>? logger = null, CalibrationHistory? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _cost = new CostModel(calibration: calibration);
        LlamaNativeLog.Attach(_logger);

        long started = Stopwatch.GetTimestamp();
        (ModelPath, IsSeeded) = ResolveModel(Options);
        Identity = ModelIdentity.FromFile(ModelPath);
        try
        {
            _weights = LLamaWeights.LoadFromFile(Params(ModelPath, Options, threads: 1, sequences: 1));
        }
        catch (Exception e) when (e is LLama.Exceptions.LoadWeightsFailedException or LLama.Exceptions.RuntimeError)
        {
            throw new InvalidOperationException(
                $"llama.cpp could not load the model '{ModelPath}' (AgentDsl:LlamaCpp:ModelPath): {e.Message} {LlamaNativeLog.Recent()}", e);
        }

        Shape = ShapeOf(_weights, ModelPath);
        Parameters = _weights.ParameterCount;
        WeightBytes = new FileInfo(ModelPath).Length;
        var contexts = Options.Contexts.Count > 0 ? Options.Contexts : new Dictionary<string, LlamaContextOptions> { ["main"] = new() };
        foreach (var (name, c) in contexts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            int threads = c.Threads > 0 ? c.Threads : Environment.ProcessorCount;
            var context = _weights.CreateContext(Params(ModelPath, Options, threads, c.Sequences));
            _contexts.Add(new LlamaContextDevice(this, name, context, threads, c, FiguresOf(c, threads)));
        }

        LoadTime = Stopwatch.GetElapsedTime(started);
        LogLoaded(ModelPath, IsSeeded ? " (seeded random weights: its text is noise)" : "", Identity.ToString(), Parameters / 1e6,
            Shape.ToString(), LoadTime.TotalMilliseconds, string.Join(", ", _contexts));
    }

    /// <summary>The options.</summary>
    public LlamaCppOptions Options { get; }

    /// <summary>The GGUF file served.</summary>
    public string ModelPath { get; }

    /// <summary>Whether the model is the seeded random-weight one (its text is noise; compute, memory traffic and KV cache are real).</summary>
    public bool IsSeeded { get; }

    /// <summary>The model's identity (SHA-256 of the file), carried by every KV transfer.</summary>
    public ModelIdentity Identity { get; }

    /// <summary>The model's shape, from its GGUF metadata.</summary>
    public LlamaShape Shape { get; }

    /// <summary>The model's parameter count.</summary>
    public double Parameters { get; }

    /// <summary>The model file's size (the weights read per decoded token, near enough).</summary>
    public long WeightBytes { get; }

    /// <summary>How long loading the model and creating the contexts took.</summary>
    public TimeSpan LoadTime { get; }

    /// <summary>The contexts, each a device.</summary>
    public IReadOnlyList<LlamaContextDevice> Contexts => _contexts;

    /// <inheritdoc/>
    public IReadOnlyList<IAgentDevice> AgentDevices => _contexts;

    /// <inheritdoc/>
    public IReadOnlyList<IKernelDevice> KernelDevices => [];

    /// <summary>The calibration store the engine reads predictions from and records phases in.</summary>
    public CalibrationHistory Calibration => _cost.Calibration;

    /// <summary>Whether the engine serves <paramref name="node"/>: an LLM call from one string to a string naming <see cref="LlamaCppOptions.ModelName"/> (any, when that is null).</summary>
    /// <param name="node">The node.</param>
    public bool Serves(NodeDefinition node) =>
        PromptNodes.IsPromptToText(node)
        && (Options.ModelName is null || string.Equals(node.Cost.Model?.Name, Options.ModelName, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The bytes a KV transfer of <paramref name="tokens"/> tokens moves by the cost model's formula
    /// (<c>2 · layers · kv heads · head dim · tokens · 2</c> for the F16 cache), without llama.cpp's framing.
    /// </summary>
    /// <param name="tokens">Tokens in the cache.</param>
    public double KvBytes(int tokens) =>
        LlmMath.KvBytes(Shape.Layers, Shape.Hidden, Shape.Heads, Shape.KvHeads, tokens, batch: 1, LlmMath.BytesPerElement(Precision.Fp16));

    /// <summary>
    /// The cost model's prediction for one phase on one context (seconds) and which link of the cost chain gave it:
    /// the measured median once a phase has three runs there (bucketed by token count), else the roofline from the
    /// context's figures, scaled by the measured/predicted ratio seen so far.
    /// </summary>
    /// <param name="operatorName">The operator.</param>
    /// <param name="phase"><c>prefill</c>, <c>decode</c> or <c>kv-transfer</c>.</param>
    /// <param name="device">The context.</param>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="outputTokens">Tokens to generate.</param>
    /// <param name="to">For a transfer, the destination.</param>
    public CostEstimate Predict(string operatorName, string phase, LlamaContextDevice device, int promptTokens, int outputTokens, LlamaContextDevice? to = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        var work = LlmMath.PhaseWork(Parameters, Shape.Layers, Shape.Hidden, Shape.Heads, Shape.KvHeads, Precision.Fp16, promptTokens, outputTokens);
        var spec = device.Spec;
        (double roofline, double size) = phase switch
        {
            Phases.Prefill => (_cost.RooflineSeconds(work.PrefillFlops, work.PrefillBytes, Precision.Fp16, spec), promptTokens),
            Phases.Decode => (_cost.RooflineSeconds(work.DecodeFlops, work.DecodeBytes, Precision.Fp16, spec), outputTokens),
            _ => (CostModel.TransferSeconds(work.KvBytes, spec, (to ?? device).Spec, sameInstance: to is null || to == device), work.KvBytes),
        };
        string key = operatorName + "." + phase;
        return CostChain.Choose(Calibration.MeasuredSeconds(key, device.Descriptor.Name, size), roofline, Calibration.Ratio(key, device.Descriptor.Name), roofline);
    }

    internal async ValueTask RunAsync(LlamaContextDevice decodeOn, NodeWork work, CancellationToken cancellationToken)
    {
        string op = work.Node.Operator;
        string prompt = PromptNodes.Prompt(work);
        LLamaToken[] tokens = decodeOn.Context.Tokenize(prompt, addBos: true, special: false);
        int room = Options.ContextSize - tokens.Length;
        if (room < 1)
        {
            throw new InvalidOperationException(
                $"{work.Node.Describe()}: the prompt is {tokens.Length} tokens; a sequence of '{decodeOn.Descriptor.Name}' holds {Options.ContextSize} (AgentDsl:LlamaCpp:ContextSize), with room for at least one generated token.");
        }

        int maxNew = Math.Min(Options.MaxTokens, room);
        var plan = Choose(op, decodeOn, tokens.Length, maxNew);
        double reserved = plan.Prefill.Seconds + plan.Decode.Seconds;
        plan.PrefillOn.AddOutstanding(plan.Prefill.Seconds);
        decodeOn.AddOutstanding(plan.Decode.Seconds);
        var sequence = await decodeOn.AcquireAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var prefillOn = plan.PrefillOn;
            LLamaSeqId? prefillSequence = prefillOn == decodeOn ? sequence : prefillOn.TryAcquire();
            if (prefillSequence is null)
            {
                // The chosen context has no free sequence now: prefill here rather than wait on another context while holding this one.
                prefillOn.AddOutstanding(-plan.Prefill.Seconds);
                prefillOn = decodeOn;
                plan = plan with { PrefillOn = decodeOn, Prefill = Predict(op, Phases.Prefill, decodeOn, tokens.Length, maxNew) };
                decodeOn.AddOutstanding(plan.Prefill.Seconds);
                prefillSequence = sequence;
            }

            int first;
            KvStateMessage? moved = null;
            long started = Stopwatch.GetTimestamp();
            try
            {
                first = await Task.Run(() => Prefill(prefillOn, prefillSequence.Value, tokens), cancellationToken).ConfigureAwait(false);
                if (prefillOn != decodeOn)
                {
                    moved = await Task.Run(() => Export(prefillOn, prefillSequence.Value, tokens.Length, first), cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (prefillOn != decodeOn)
                {
                    prefillOn.Release(prefillSequence.Value);
                }

                prefillOn.AddOutstanding(-plan.Prefill.Seconds);
            }

            var prefillTime = Measured(work, op, Phases.Prefill, prefillOn, prefillOn.Descriptor.Name, started, plan.Prefill, tokens.Length, tokens.Length);
            if (prefillOn != decodeOn)
            {
                // The runtime charges the node's time at the decode context's price; the prefill ran on another one.
                double extra = prefillTime.TotalHours * (prefillOn.Descriptor.HourlyCostUsd - decodeOn.Descriptor.HourlyCostUsd);
                if (extra > 0)
                {
                    work.ReportCost(extra);
                }
            }
            if (moved is not null)
            {
                started = Stopwatch.GetTimestamp();
                long bytes = await Task.Run(() => Transfer(moved, decodeOn, sequence), cancellationToken).ConfigureAwait(false);
                Measured(work, op, Phases.KvTransfer, prefillOn, prefillOn.Descriptor.Name + "→" + decodeOn.Descriptor.Name, started,
                    plan.Transfer, tokens.Length, bytes, bytes);
            }

            started = Stopwatch.GetTimestamp();
            var (text, generated) = await Task.Run(() => Decode(decodeOn, sequence, work, first, tokens.Length, maxNew, cancellationToken), cancellationToken).ConfigureAwait(false);
            Measured(work, op, Phases.Decode, decodeOn, decodeOn.Descriptor.Name, started, plan.Decode, generated, maxNew);
            work.Complete(new NodeCompletion(work.RequestId, work.Node.Id, text, Error: null), decodeOn.Descriptor.Name);
        }
        finally
        {
            decodeOn.AddOutstanding(-plan.Decode.Seconds);
            decodeOn.Release(sequence);
        }
    }

    /// <summary>
    /// Where a request decoded on <paramref name="decodeOn"/> prefills, by the split policy and the cost model: the
    /// context with the least predicted wait (its outstanding work) + prefill + KV transfer (none when it is
    /// <paramref name="decodeOn"/>), with the phases' predictions.
    /// </summary>
    /// <param name="op">The operator (calibration key).</param>
    /// <param name="decodeOn">The context the node was placed on.</param>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="outputTokens">Tokens to generate.</param>
    public LlamaSplitPlan Choose(string op, LlamaContextDevice decodeOn, int promptTokens, int outputTokens)
    {
        var decode = Predict(op, Phases.Decode, decodeOn, promptTokens, outputTokens);
        LlamaSplitPlan? best = null;
        double bestSeconds = double.MaxValue;
        foreach (var candidate in _contexts)
        {
            bool local = candidate == decodeOn;
            bool allowed = Options.Split switch
            {
                LlamaSplitPolicy.Never => local,
                LlamaSplitPolicy.Always => !local || _contexts.Count == 1,
                _ => true,
            };
            if (!allowed)
            {
                continue;
            }

            var prefill = Predict(op, Phases.Prefill, candidate, promptTokens, outputTokens);
            var transfer = local ? new CostEstimate(0, CostSource.Roofline) : Predict(op, Phases.KvTransfer, candidate, promptTokens, outputTokens, decodeOn);
            double wait = local ? 0 : candidate.OutstandingSeconds;
            double seconds = wait + prefill.Seconds + transfer.Seconds;
            if (seconds < bestSeconds)
            {
                (best, bestSeconds) = (new LlamaSplitPlan(candidate, prefill, transfer, decode), seconds);
            }
        }

        return best ?? new LlamaSplitPlan(decodeOn, Predict(op, Phases.Prefill, decodeOn, promptTokens, outputTokens), new CostEstimate(0, CostSource.Roofline), decode);
    }

    private static int Prefill(LlamaContextDevice on, LLamaSeqId sequence, LLamaToken[] tokens)
    {
        lock (on.Gate)
        {
            on.Context.NativeHandle.MemorySequenceRemove(sequence, -1, -1);
            return LlamaSteps.Prefill(on.Context, sequence, tokens, on.Batch);
        }
    }

    private KvStateMessage Export(LlamaContextDevice on, LLamaSeqId sequence, int tokens, int first)
    {
        lock (on.Gate)
        {
            return KvStateMessage.Export(on.Context, sequence, Identity, tokens, first);
        }
    }

    /// <summary>Moves the state as bytes (the message's wire form, as across processes) into the destination's sequence; returns the bytes moved.</summary>
    private long Transfer(KvStateMessage message, LlamaContextDevice to, LLamaSeqId sequence)
    {
        using var wire = new MemoryStream(message.HeaderLength + message.State.Length);
        message.Write(wire);
        wire.Position = 0;
        var received = KvStateMessage.Read(wire);
        lock (to.Gate)
        {
            to.Context.NativeHandle.MemorySequenceRemove(sequence, -1, -1);
            received.Import(to.Context, sequence, Identity);
        }

        return wire.Length;
    }

    private (string Text, int Generated) Decode(LlamaContextDevice on, LLamaSeqId sequence, NodeWork work, int first, int position, int maxNew, CancellationToken cancellationToken)
    {
        var decoder = new StreamingTokenDecoder(System.Text.Encoding.UTF8, _weights);
        var text = new System.Text.StringBuilder();
        var end = _weights.Vocab.EOS;
        int token = first;
        int generated = 0;
        while (end is not { } eos || token != eos)
        {
            decoder.Add(token);
            string piece = decoder.Read();
            if (piece.Length > 0)
            {
                text.Append(piece);
                work.OnText?.Invoke(new NodeText(work.RequestId, work.Node.Name, on.Descriptor.Name, piece));
            }

            if (++generated == maxNew)
            {
                break; // the last token is emitted; the one after it is not needed
            }

            cancellationToken.ThrowIfCancellationRequested();
            lock (on.Gate)
            {
                token = LlamaSteps.Step(on.Context, sequence, token, position + generated - 1, on.Batch); // the token just emitted goes in after the ones before it
            }
        }

        return (text.ToString(), generated);
    }

    private TimeSpan Measured(NodeWork work, string op, string phase, LlamaContextDevice device, string where, long started, CostEstimate predicted, int tokens, double size, long bytes = 0)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        Calibration.Record(op + "." + phase, device.Descriptor.Name, size, elapsed.TotalSeconds, predicted.Source == CostSource.Measured ? null : predicted.Seconds);
        work.ReportPhase(new PhaseRun(phase, where, elapsed, TimeSpan.FromSeconds(predicted.Seconds), tokens, bytes)
        {
            PredictedBy = predicted.Source.ToString().ToLowerInvariant(),
        });
        return elapsed;
    }

    private static DeviceFigures FiguresOf(LlamaContextOptions c, int threads) => new()
    {
        Source = c.Fp16Tflops > 0 || c.MemoryBandwidthGBs > 0 ? "AgentDsl:LlamaCpp:Contexts" : "llama.cpp context defaults (per thread; corrected by measurement)",
        Fp16Tflops = c.Fp16Tflops > 0 ? c.Fp16Tflops : 0.05 * threads,
        Fp32Tflops = c.Fp16Tflops > 0 ? c.Fp16Tflops : 0.05 * threads,
        MemoryBandwidthGBs = c.MemoryBandwidthGBs > 0 ? c.MemoryBandwidthGBs : Math.Min(40, 8.0 * threads),
        HostLinkGBs = c.MemoryBandwidthGBs > 0 ? c.MemoryBandwidthGBs : Math.Min(40, 8.0 * threads),
        HostLinkLatencyUs = 1,
        LaunchOverheadUs = 50,
    };

    internal static ModelParams Params(string path, LlamaCppOptions options, int threads, int sequences) => new(path)
    {
        ContextSize = (uint)(options.ContextSize * sequences),
        BatchSize = (uint)options.ContextSize,
        UBatchSize = (uint)Math.Min(options.ContextSize, 512),
        SeqMax = (uint)sequences,
        GpuLayerCount = 0,
        Threads = threads,
        BatchThreads = threads,
        FlashAttention = options.FlashAttention,
    };

    private static (string Path, bool Seeded) ResolveModel(LlamaCppOptions options)
    {
        if (options.ModelPath is { } path)
        {
            string full = Path.GetFullPath(path);
            return File.Exists(full)
                ? (full, false)
                : throw new InvalidOperationException($"The llama.cpp model '{full}' (AgentDsl:LlamaCpp:ModelPath) does not exist.");
        }

        var shape = options.SeededShape switch
        {
            "Small97M" => LlamaShape.Small97M,
            "Tiny" => LlamaShape.Tiny,
            var other => throw new InvalidOperationException($"AgentDsl:LlamaCpp:SeededShape '{other}' is not a seeded shape (Small97M, Tiny)."),
        };
        string directory = options.CacheDirectory ?? Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } root ? root : Path.GetTempPath(),
            "AgentDsl", "models");
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, $"seeded-{options.SeededShape.ToLowerInvariant()}-{options.Seed.ToString(CultureInfo.InvariantCulture)}-v{SeededLlamaModel.FormatRevision}.gguf");
        if (!File.Exists(file))
        {
            string temporary = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            SeededLlamaModel.Write(temporary, shape, options.Seed);
            File.Move(temporary, file, overwrite: true); // whole or not at all, also with two hosts starting at once
        }

        return (file, true);
    }

    private static LlamaShape ShapeOf(LLamaWeights weights, string path)
    {
        var meta = weights.Metadata;
        string arch = meta.TryGetValue("general.architecture", out var a) ? a : "llama";
        int Get(string key, int? fallback = null) =>
            meta.TryGetValue(arch + "." + key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n
            : fallback ?? throw new InvalidOperationException($"The model '{path}' has no GGUF metadata '{arch}.{key}'; the engine needs it for the KV cache's size.");
        int heads = Get("attention.head_count");
        return new LlamaShape(Get("embedding_length"), Get("block_count"), heads, Get("attention.head_count_kv", heads), Get("feed_forward_length", 0), Get("context_length", 0));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var c in _contexts)
        {
            c.Dispose();
        }

        _weights.Dispose();
    }

    [LoggerMessage(EventId = Telemetry.AgentDslEventIds.EngineLoaded, Level = LogLevel.Information,
        Message = "llama.cpp model {Path}{Seeded} ({Identity}, {ParametersM:F1} M parameters, {Shape}) loaded in {Ms:F0} ms; contexts: {Contexts}")]
    private partial void LogLoaded(string path, string seeded, string identity, double parametersM, string shape, double ms, string contexts);

    /// <summary>Phase names, as in <see cref="PhaseRun.Phase"/> and the calibration keys (<c>{operator}.{phase}</c>).</summary>
    public static class Phases
    {
        /// <summary>The prompt's prefill.</summary>
        public const string Prefill = "prefill";

        /// <summary>The KV state's move between contexts.</summary>
        public const string KvTransfer = "kv-transfer";

        /// <summary>Greedy decoding of the answer.</summary>
        public const string Decode = "decode";
    }

}
