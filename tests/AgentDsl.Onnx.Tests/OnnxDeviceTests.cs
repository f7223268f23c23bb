using AgentDsl.Execution;
using AgentDsl.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;

namespace AgentDsl.Onnx.Tests;

/// <summary>The ONNX device in a host: placement, results, batching, configuration.</summary>
public sealed class OnnxDeviceTests(MiniLmFixture fixture, ITestOutputHelper output) : IClassFixture<MiniLmFixture>
{
    private static readonly string[] Texts =
    [
        "Returns the number of elements contained in the list.",
        "Reads all bytes from a file and closes it.",
        "Converts the specified string to uppercase using the invariant culture.",
        "Suspends the current thread for the specified number of milliseconds.",
        "x",
        "Represents a strongly typed list of objects that can be accessed by index.",
        "Opens a network socket and connects it to a remote host.",
        "Computes the square root of a double-precision number.",
    ];

    internal static IHost Build(Action<IAgentDslBuilder> graphs, Dictionary<string, string?>? configuration = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration ?? []);
        builder.UseAgentDsl(a =>
        {
            graphs(a);
            a.AddOnnxDevice();
        });
        return builder.Build();
    }

    /// <summary>A batched vector equals the single form to 1e-6 per component (padding to the longest text of the batch may change the last bits).</summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-6, $"component {k}: {expected[k]} vs {actual[k]}");
        }
    }

    [Fact]
    public async Task Model_node_runs_on_the_onnx_device_with_the_direct_embedding_bitwise()
    {
        using var host = Build(a => a.AddGraph<OnnxEmbedGraph>());
        await host.StartAsync();
        var device = host.Services.GetRequiredService<OnnxEmbeddingDevice>();
        Assert.Equal("onnx:cpu", device.Descriptor.Name);
        Assert.Equal(0, device.EngineCalls); // the session exists from the start; nothing ran yet

        var result = await host.Services.GetRequiredService<IAgentRunner<OnnxEmbedGraph>>().RunAsync(Texts[0]);

        Assert.Equal("onnx:cpu", result.Nodes.Single(n => n.Name == "Embed").Device);
        Assert.Equal("cpu", result.Nodes.Single(n => n.Name == "Prepare").Device);
        Assert.Equal(fixture.Embedder.Embed(Texts[0]), result.Output); // a batch of one: bitwise the single form
        Assert.Equal(0, host.Services.GetRequiredService<OnnxEmbedGraph>().BodyCalls);
        Assert.Equal(1, device.EngineCalls);
        await host.StopAsync();
    }

    [Fact]
    public async Task Concurrent_requests_are_embedded_in_fewer_engine_calls_each_with_its_own_vector()
    {
        const int Requests = 32;
        using var host = Build(a => a.AddGraph<OnnxEmbedGraph>(), new() { ["AgentDsl:Onnx:MaxDelay"] = "00:00:00.050" });
        await host.StartAsync();
        var runner = host.Services.GetRequiredService<IAgentRunner<OnnxEmbedGraph>>();
        var device = host.Services.GetRequiredService<OnnxEmbeddingDevice>();
        var texts = Enumerable.Range(0, Requests).Select(i => Texts[i % Texts.Length] + " #" + i).ToArray();

        var results = await Task.Run(() => Task.WhenAll(texts.Select(t => runner.RunAsync(t))));

        output.WriteLine($"{Requests} requests, {device.EngineCalls} engine calls");
        Assert.Equal(Requests, device.EmbeddedTexts);
        Assert.InRange(device.EngineCalls, 1, Requests - 1);
        int bitwise = 0;
        for (int i = 0; i < Requests; i++)
        {
            var expected = fixture.Embedder.Embed(texts[i]);
            AssertClose(expected, results[i].Output);

            bitwise += expected.AsSpan().SequenceEqual(results[i].Output) ? 1 : 0;
            Assert.Equal("onnx:cpu", results[i].Nodes.Single(n => n.Name == "Embed").Device);
        }

        output.WriteLine($"{bitwise} of {Requests} batched vectors bitwise equal to the single form");
        Assert.Equal(0, host.Services.GetRequiredService<OnnxEmbedGraph>().BodyCalls);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_bad_input_fails_only_its_own_request()
    {
        using var host = Build(a => a.AddGraph<DirectEmbedGraph>(), new() { ["AgentDsl:Onnx:MaxDelay"] = "00:00:00.050" });
        await host.StartAsync();
        var runner = host.Services.GetRequiredService<IAgentRunner<DirectEmbedGraph>>();

        var good = Task.Run(() => runner.RunAsync(Texts[1]));
        var bad = Task.Run(() => runner.RunAsync(null!));
        var other = Task.Run(() => runner.RunAsync(Texts[2]));

        var error = await Assert.ThrowsAsync<AgentNodeException>(() => bad);
        Assert.Equal("onnx:cpu", error.Device);
        Assert.Contains("the text of", Assert.IsType<ArgumentException>(error.InnerException).Message, StringComparison.Ordinal);
        AssertClose(fixture.Embedder.Embed(Texts[1]), (await good).Output);
        AssertClose(fixture.Embedder.Embed(Texts[2]), (await other).Output);
        await host.StopAsync();
    }

    [Fact]
    public async Task Memory_and_list_results_are_served_and_a_two_input_node_stays_on_the_cpu()
    {
        using var host = Build(a => a.AddGraph<OnnxShapesGraph>());
        await host.StartAsync();

        var result = await host.Services.GetRequiredService<IAgentRunner<OnnxShapesGraph>>().RunAsync(Texts[3]);

        Assert.Equal("onnx:cpu", result.Nodes.Single(n => n.Name == "AsMemory").Device); // model name compared ignoring case
        Assert.Equal("onnx:cpu", result.Nodes.Single(n => n.Name == "AsList").Device);
        Assert.Equal("cpu", result.Nodes.Single(n => n.Name == "Pair").Device);
        Assert.Equal((2 * fixture.Embedder.Embed(Texts[3])[0]) + 1000f, result.Output);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_node_naming_another_model_runs_its_body_on_the_cpu()
    {
        using var host = Build(a => a.AddGraph<OtherModelGraph>());
        await host.StartAsync();

        var result = await host.Services.GetRequiredService<IAgentRunner<OtherModelGraph>>().RunAsync("hello");

        Assert.Equal("cpu", result.Nodes.Single(n => n.Name == "Embed").Device);
        Assert.Equal([-1f], result.Output);
        Assert.Equal(0, host.Services.GetRequiredService<OnnxEmbeddingDevice>().EngineCalls);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_node_with_a_batch_form_is_batched_by_the_device_not_by_the_runtime()
    {
        using var host = Build(a => a.AddGraph<BatchableEmbedGraph>(), new() { ["AgentDsl:Onnx:MaxDelay"] = "00:00:00.050" });
        await host.StartAsync();
        var runner = host.Services.GetRequiredService<IAgentRunner<BatchableEmbedGraph>>();

        var results = await Task.Run(() => Task.WhenAll(Texts.Select(t => runner.RunAsync(t))));

        for (int i = 0; i < Texts.Length; i++)
        {
            AssertClose(fixture.Embedder.Embed(Texts[i]), results[i].Output);
            Assert.Equal("onnx:cpu", results[i].Nodes.Single(n => n.Name == "Embed").Device);
        }

        Assert.Empty(host.Services.GetRequiredService<BatchableEmbedGraph>().BatchFormCalls);
        Assert.InRange(host.Services.GetRequiredService<OnnxEmbeddingDevice>().EngineCalls, 1, Texts.Length - 1);
        await host.StopAsync();
    }

    [Fact]
    public async Task Configuration_binds_threads_batch_size_and_delay()
    {
        using var host = Build(a => a.AddGraph<OnnxEmbedGraph>(), new()
        {
            ["AgentDsl:Onnx:IntraOpNumThreads"] = "1",
            ["AgentDsl:Onnx:InterOpNumThreads"] = "1",
            ["agentdsl:onnx:maxbatch"] = "4",
            ["AgentDsl:Onnx:MaxDelay"] = "00:00:00",
            ["AgentDsl:Onnx:ExecutionProvider"] = "cpu",
        });
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<OnnxOptions>>().Value;
        Assert.Equal((1, 1, 4, TimeSpan.Zero), (options.IntraOpNumThreads, options.InterOpNumThreads, options.MaxBatch, options.MaxDelay));
        Assert.Equal(8, host.Services.GetRequiredService<OnnxEmbeddingDevice>().Descriptor.MaxConcurrency);

        var result = await host.Services.GetRequiredService<IAgentRunner<OnnxEmbedGraph>>().RunAsync(Texts[4]);
        Assert.Equal("onnx:cpu", result.Nodes.Single(n => n.Name == "Embed").Device);
        Assert.Equal(384, result.Output.Length);
        await host.StopAsync();
    }
}

/// <summary>Start-up failures of the ONNX device: each names the configuration key.</summary>
public sealed class OnnxDeviceStartTests
{
    [Fact]
    public async Task A_provider_missing_from_the_build_fails_start_listing_the_available_ones()
    {
        using var host = OnnxDeviceTests.Build(a => a.AddGraph<OnnxEmbedGraph>(), new() { ["AgentDsl:Onnx:ExecutionProvider"] = "Cuda" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("AgentDsl:Onnx:ExecutionProvider is Cuda (CUDAExecutionProvider)", error.Message, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", error.Message, StringComparison.Ordinal);
        foreach (var available in OrtEnv.Instance().GetAvailableProviders())
        {
            Assert.Contains(available, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_key_under_the_onnx_section_fails_start_naming_it()
    {
        using var host = OnnxDeviceTests.Build(a => a.AddGraph<OnnxEmbedGraph>(), new()
        {
            ["AgentDsl:Onnx:MaxBatchSize"] = "4",
            ["AgentDsl:Onnx:MaxBatch"] = "4",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AgentDsl:Onnx:MaxBatchSize: unknown configuration key 'MaxBatchSize'; OnnxOptions has", error.Message, StringComparison.Ordinal);
        Assert.Contains("ExecutionProvider", error.Message, StringComparison.Ordinal); // what is allowed there
        Assert.Single(error.Failures);
    }

    [Fact]
    public async Task An_out_of_range_value_fails_start_naming_the_option()
    {
        using var host = OnnxDeviceTests.Build(a => a.AddGraph<OnnxEmbedGraph>(), new() { ["AgentDsl:Onnx:MaxBatch"] = "0" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("MaxBatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_onnx_section_is_unknown_without_the_device()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AgentDsl:Onnx:MaxBatch"] = "4" });
        builder.UseAgentDsl(a => a.AddGraph<OnnxEmbedGraph>());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AgentDsl:Onnx: unknown configuration key 'Onnx'", error.Message, StringComparison.Ordinal);
    }
}
