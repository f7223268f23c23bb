using AgentDsl.Execution;
using AgentDsl.Onnx;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentDsl.Benchmarks;

/// <summary>One Model node pinned to the ONNX device: text → MiniLM embedding.</summary>
[AgentGraph(Name = "bench-onnx")]
public partial class OnnxEmbedBenchGraph
{
    [Flow]
    public float[] Run(string text)
    {
        return Embed(text);
    }

    [Operator(OperatorKind.Model, Model = MiniLmEmbedder.ModelName, AllowedDevices = DeviceKinds.Accelerator)]
    public float[] Embed(string text) => throw new InvalidOperationException("The ONNX device runs this node.");
}

/// <summary>
/// 32 concurrent requests through the runtime, each one Model node on the ONNX device (MiniLM-L6, CPU provider,
/// default threads): the device's micro-batching off (MaxBatch 1: 32 engine calls) against on (MaxBatch 16 and 32,
/// MaxDelay 2 ms). The texts are <see cref="EmbeddingBenchmarks"/>' 32 sentences.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class OnnxDeviceBenchmarks
{
    private IHost _host = null!;
    private IAgentRunner<OnnxEmbedBenchGraph> _runner = null!;

    /// <summary>The device's <see cref="OnnxOptions.MaxBatch"/>.</summary>
    [Params(1, 16, 32)]
    public int MaxBatch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentDsl().AddGraph<OnnxEmbedBenchGraph>().AddOnnxDevice(o => o.MaxBatch = MaxBatch);
        _host = builder.Build();
        _host.Start();
        _runner = _host.Services.GetRequiredService<IAgentRunner<OnnxEmbedBenchGraph>>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var device = _host.Services.GetRequiredService<OnnxEmbeddingDevice>();
        Console.WriteLine($"// MaxBatch {MaxBatch}: {device.EmbeddedTexts} texts in {device.EngineCalls} engine calls ({(double)device.EmbeddedTexts / device.EngineCalls:F1} per call)");
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    [Benchmark(Description = "32 concurrent requests through the runtime")]
    public async Task<float> ConcurrentRequests()
    {
        var texts = EmbeddingBenchmarks.Texts;
        var runs = new Task<AgentRunResult<float[]>>[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            runs[i] = _runner.RunAsync(texts[i]);
        }

        float sum = 0;
        foreach (var run in runs)
        {
            sum += (await run).Output[0];
        }

        return sum;
    }
}
