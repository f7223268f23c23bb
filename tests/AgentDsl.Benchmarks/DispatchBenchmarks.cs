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

/// <summary>
/// Per-request cost of the orchestrator on ten no-op nodes (a chain, and a fan-out/fan-in), against calling the flow
/// directly and against the same shapes built from TPL Dataflow blocks. One request at a time.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private IHost _host = null!;
    private IAgentRunner<ChainGraph> _chain = null!;
    private IAgentRunner<WideGraph> _wide = null!;
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
        builder.Services.AddAgentDsl().AddGraph<ChainGraph>().AddGraph<WideGraph>();
        _host = builder.Build();
        _host.Start();
        _chain = _host.Services.GetRequiredService<IAgentRunner<ChainGraph>>();
        _wide = _host.Services.GetRequiredService<IAgentRunner<WideGraph>>();

        var link = new DataflowLinkOptions { PropagateCompletion = true };
        _dfChainHead = new TransformBlock<int, int>(x => x + 1);
        var previous = _dfChainHead;
        for (int n = 1; n < 10; n++)
        {
            var next = new TransformBlock<int, int>(x => x + 1);
            previous.LinkTo(next, link);
            previous = next;
        }

        _dfChainTail = previous;

        _dfWideHead = new BroadcastBlock<int>(x => x);
        var first = new TransformBlock<int, int>(x => x + 1);
        var batch = new BatchBlock<int>(8);
        _dfWideHead.LinkTo(first, link);
        var fan = new BroadcastBlock<int>(x => x);
        first.LinkTo(fan, link);
        for (int n = 0; n < 8; n++)
        {
            var step = new TransformBlock<int, int>(x => x + 1);
            fan.LinkTo(step, link);
            step.LinkTo(batch, link);
        }

        _dfWideTail = new TransformBlock<int[], int>(xs => xs.Sum());
        batch.LinkTo(_dfWideTail, link);
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
}
