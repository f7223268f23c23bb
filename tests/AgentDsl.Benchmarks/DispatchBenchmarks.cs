using System.Threading.Tasks.Dataflow;
using AgentDsl.Execution;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Benchmarks;

/// <summary>A chain of ten no-op operators.</summary>
[AgentGraph]
public partial class ChainGraph
{
    [Flow]
    public int Run(int x)
    {
        var a = Step(x);
        var b = Step(a);
        var c = Step(b);
        var d = Step(c);
        var e = Step(d);
        var f = Step(e);
        var g = Step(f);
        var h = Step(g);
        var i = Step(h);
        return Step(i);
    }

    [Operator] public int Step(int x) => x + 1;
}

/// <summary>A fan-out to eight no-op operators and a fan-in (ten nodes).</summary>
[AgentGraph]
public partial class WideGraph
{
    [Flow]
    public int Run(int x)
    {
        var s = Step(x);
        return Join(Step(s), Step(s), Step(s), Step(s), Step(s), Step(s), Step(s), Step(s));
    }

    [Operator] public int Step(int x) => x + 1;

    [Operator] public int Join(int a, int b, int c, int d, int e, int f, int g, int h) => a + b + c + d + e + f + g + h;
}

/// <summary>A chain of ten asynchronous no-op operators: each awaits once (as an operator doing I/O or device work does).</summary>
[AgentGraph]
public partial class YieldChainGraph
{
    [Flow]
    public async Task<int> Run(int x)
    {
        var a = await Step(x);
        var b = await Step(a);
        var c = await Step(b);
        var d = await Step(c);
        var e = await Step(d);
        var f = await Step(e);
        var g = await Step(f);
        var h = await Step(g);
        var i = await Step(h);
        return await Step(i);
    }

    [Operator]
    public async Task<int> Step(int x)
    {
        await Task.Yield();
        return x + 1;
    }
}

/// <summary>A fan-out to eight asynchronous no-op operators and a fan-in (ten nodes).</summary>
[AgentGraph]
public partial class YieldWideGraph
{
    [Flow]
    public async Task<int> Run(int x)
    {
        var s = await Step(x);
        var t1 = Step(s);
        var t2 = Step(s);
        var t3 = Step(s);
        var t4 = Step(s);
        var t5 = Step(s);
        var t6 = Step(s);
        var t7 = Step(s);
        var t8 = Step(s);
        await Task.WhenAll(t1, t2, t3, t4, t5, t6, t7, t8);
        return Join(await t1, await t2, await t3, await t4, await t5, await t6, await t7, await t8);
    }

    [Operator]
    public async Task<int> Step(int x)
    {
        await Task.Yield();
        return x + 1;
    }

    [Operator] public int Join(int a, int b, int c, int d, int e, int f, int g, int h) => a + b + c + d + e + f + g + h;
}

/// <summary>
/// Per-request cost of the orchestrator on ten no-op nodes (a chain, and a fan-out/fan-in), against calling the flow
/// directly and against the same shapes built from TPL Dataflow blocks. One request at a time.
/// </summary>
[SimpleJob(launchCount: 3, warmupCount: 5, iterationCount: 10)]
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private IHost _host = null!;
    private IAgentRunner<ChainGraph> _chain = null!;
    private IAgentRunner<WideGraph> _wide = null!;
    private IAgentRunner<YieldChainGraph> _yieldChain = null!;
    private IAgentRunner<YieldWideGraph> _yieldWide = null!;
    private readonly YieldChainGraph _yieldChainGraph = new();
    private readonly YieldWideGraph _yieldWideGraph = new();
    private TransformBlock<int, int> _dfYieldChainHead = null!;
    private TransformBlock<int, int> _dfYieldChainTail = null!;
    private BroadcastBlock<int> _dfYieldWideHead = null!;
    private TransformBlock<int[], int> _dfYieldWideTail = null!;
    private readonly ChainGraph _chainGraph = new();
    private readonly WideGraph _wideGraph = new();
    private TransformBlock<int, int> _dfChainHead = null!;
    private TransformBlock<int, int> _dfChainTail = null!;
    private BroadcastBlock<int> _dfWideHead = null!;
    private TransformBlock<int[], int> _dfWideTail = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentDsl().AddGraph<ChainGraph>().AddGraph<WideGraph>().AddGraph<YieldChainGraph>().AddGraph<YieldWideGraph>();
        _host = builder.Build();
        _host.Start();
        _chain = _host.Services.GetRequiredService<IAgentRunner<ChainGraph>>();
        _wide = _host.Services.GetRequiredService<IAgentRunner<WideGraph>>();
        _yieldChain = _host.Services.GetRequiredService<IAgentRunner<YieldChainGraph>>();
        _yieldWide = _host.Services.GetRequiredService<IAgentRunner<YieldWideGraph>>();
        static TransformBlock<int, int> Sync() => new(static x => x + 1);
        static TransformBlock<int, int> Async() => new(static async x =>
        {
            await Task.Yield();
            return x + 1;
        });
        (_dfChainHead, _dfChainTail) = DataflowChain(Sync);
        (_dfWideHead, _dfWideTail) = DataflowWide(Sync);
        (_dfYieldChainHead, _dfYieldChainTail) = DataflowChain(Async);
        (_dfYieldWideHead, _dfYieldWideTail) = DataflowWide(Async);
    }

    private static (TransformBlock<int, int> Head, TransformBlock<int, int> Tail) DataflowChain(Func<TransformBlock<int, int>> step)
    {
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var head = step();
        var previous = head;
        for (int n = 1; n < 10; n++)
        {
            var next = step();
            previous.LinkTo(next, link);
            previous = next;
        }

        return (head, previous);
    }

    private static (BroadcastBlock<int> Head, TransformBlock<int[], int> Tail) DataflowWide(Func<TransformBlock<int, int>> step)
    {
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var head = new BroadcastBlock<int>(x => x);
        var first = step();
        var batch = new BatchBlock<int>(8);
        head.LinkTo(first, link);
        var fan = new BroadcastBlock<int>(x => x);
        first.LinkTo(fan, link);
        for (int n = 0; n < 8; n++)
        {
            var each = step();
            fan.LinkTo(each, link);
            each.LinkTo(batch, link);
        }

        var tail = new TransformBlock<int[], int>(xs => xs.Sum());
        batch.LinkTo(tail, link);
        return (head, tail);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    [Benchmark(Baseline = true, Description = "chain: direct flow call")]
    [BenchmarkCategory("chain")]
    public async Task<int> ChainDirect() => await Task.FromResult(_chainGraph.Run(1));

    [Benchmark(Description = "chain: AgentDsl runner")]
    [BenchmarkCategory("chain")]
    public async Task<int> ChainRunner() => (await _chain.RunAsync(1)).Output;

    [Benchmark(Description = "chain: TPL Dataflow")]
    [BenchmarkCategory("chain")]
    public async Task<int> ChainDataflow()
    {
        _dfChainHead.Post(1);
        return await _dfChainTail.ReceiveAsync();
    }

    [Benchmark(Description = "wide: direct flow call")]
    public async Task<int> WideDirect() => await Task.FromResult(_wideGraph.Run(1));

    [Benchmark(Description = "wide: AgentDsl runner")]
    public async Task<int> WideRunner() => (await _wide.RunAsync(1)).Output;

    [Benchmark(Description = "wide: TPL Dataflow")]
    public async Task<int> WideDataflow()
    {
        _dfWideHead.Post(1);
        return await _dfWideTail.ReceiveAsync();
    }

    [Benchmark(Description = "async chain: direct awaited calls")]
    public Task<int> YieldChainDirect() => _yieldChainGraph.Run(1);

    [Benchmark(Description = "async chain: AgentDsl runner")]
    public async Task<int> YieldChainRunner() => (await _yieldChain.RunAsync(1)).Output;

    [Benchmark(Description = "async chain: TPL Dataflow")]
    public async Task<int> YieldChainDataflow()
    {
        _dfYieldChainHead.Post(1);
        return await _dfYieldChainTail.ReceiveAsync();
    }

    [Benchmark(Description = "async wide: direct awaited calls")]
    public Task<int> YieldWideDirect() => _yieldWideGraph.Run(1);

    [Benchmark(Description = "async wide: AgentDsl runner")]
    public async Task<int> YieldWideRunner() => (await _yieldWide.RunAsync(1)).Output;

    [Benchmark(Description = "async wide: TPL Dataflow")]
    public async Task<int> YieldWideDataflow()
    {
        _dfYieldWideHead.Post(1);
        return await _dfYieldWideTail.ReceiveAsync();
    }
}
