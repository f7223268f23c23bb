using AgentDsl.Devices;
using AgentDsl.Ir;
using LLama;
using LLama.Native;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// One llama.cpp context of a <see cref="LlamaCppEngine"/> as a runtime device (<c>llama:{name}</c>): it serves LLM
/// nodes from one prompt string to a string (<see cref="PromptNodes"/>) with the engine's model, in place of the
/// operator's body. Its KV cache holds <see cref="LlamaContextOptions.Sequences"/> requests at once (its concurrency);
/// its threads are its own. A node placed here decodes here; its prefill may run on another context of the engine
/// (<see cref="LlamaSplitPolicy"/>), the KV state moving between them as a <see cref="KvStateMessage"/>.
/// </summary>
public sealed class LlamaContextDevice : IEngineDevice, IDisposable
{
    private readonly LlamaCppEngine _engine;
    private readonly SemaphoreSlim _free;
    private readonly bool[] _used;
    private long _outstandingTicks;

    internal LlamaContextDevice(LlamaCppEngine engine, string name, LLamaContext context, int threads, LlamaContextOptions options, DeviceFigures figures)
    {
        _engine = engine;
        ContextName = name;
        Context = context;
        Threads = threads;
        _free = new SemaphoreSlim(options.Sequences, options.Sequences);
        _used = new bool[options.Sequences];
        Batch = new LLamaBatch();
        Descriptor = new DeviceDescriptor("llama:" + name, DeviceKinds.Cpu)
        {
            Vendor = "llama.cpp",
            ComputeUnits = threads,
            MaxConcurrency = options.Sequences,
            MemoryBytes = engine.WeightBytes + (engine.Shape.KvBytesPerToken * (double)engine.Options.ContextSize * options.Sequences),
            HourlyCostUsd = options.HourlyCostUsd,
            Figures = figures,
        };
        Spec = Planning.Cost.CostChain.ToSpec(Descriptor)!;
    }

    /// <inheritdoc/>
    public DeviceDescriptor Descriptor { get; }

    /// <summary>The context's name (the key under <c>AgentDsl:LlamaCpp:Contexts</c>).</summary>
    public string ContextName { get; }

    /// <summary>The threads llama.cpp uses for this context.</summary>
    public int Threads { get; }

    /// <summary>The context's figures as the cost model reads them (made once: every request's split decision uses them).</summary>
    internal Planning.Catalog.DeviceSpec Spec { get; }

    /// <summary>The engine this context belongs to.</summary>
    public LlamaCppEngine Engine => _engine;

    internal LLamaContext Context { get; }

    /// <summary>The batch the context's steps reuse (under <see cref="Gate"/>).</summary>
    internal LLamaBatch Batch { get; }

    /// <summary>Held around every llama.cpp call on the context: its sequences share it.</summary>
    internal object Gate { get; } = new();

    /// <summary>Work predicted to be running or waiting on this context (seconds), for the split decision.</summary>
    internal double OutstandingSeconds => Interlocked.Read(ref _outstandingTicks) / (double)TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public bool CanRun(NodeDefinition node) => _engine.Serves(node);

    /// <inheritdoc/>
    public ValueTask RunAsync(NodeWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _engine.RunAsync(this, work, cancellationToken);
    }

    internal void AddOutstanding(double seconds) => Interlocked.Add(ref _outstandingTicks, (long)(seconds * TimeSpan.TicksPerSecond));

    /// <summary>Takes a free sequence, waiting for one.</summary>
    internal async ValueTask<LLamaSeqId> AcquireAsync(CancellationToken cancellationToken)
    {
        await _free.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Take();
    }

    /// <summary>Takes a free sequence if there is one now (never waits: a split prefill must not wait on another context while holding its own).</summary>
    internal LLamaSeqId? TryAcquire() => _free.Wait(0) ? Take() : null;

    /// <summary>Clears the sequence's KV cache and gives it back.</summary>
    internal void Release(LLamaSeqId sequence)
    {
        lock (Gate)
        {
            Context.NativeHandle.MemorySequenceRemove(sequence, -1, -1);
        }

        lock (_used)
        {
            _used[sequence.Value] = false;
        }

        _free.Release();
    }

    private LLamaSeqId Take()
    {
        lock (_used)
        {
            int i = Array.IndexOf(_used, false);
            _used[i] = true;
            return (LLamaSeqId)i;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Context.Dispose();
        _free.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Descriptor.Name} ({Threads} threads, {_used.Length} sequence(s))";
}
