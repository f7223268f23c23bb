namespace AgentDsl.Onnx;

/// <summary>The ONNX Runtime execution provider the ONNX device's sessions run on (<c>AgentDsl:Onnx:ExecutionProvider</c>).</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU provider (<c>CPUExecutionProvider</c>), present in every ONNX Runtime build. The default.</summary>
    Cpu,

    /// <summary>NVIDIA GPUs (<c>CUDAExecutionProvider</c>; the <c>Microsoft.ML.OnnxRuntime.Gpu</c> build).</summary>
    Cuda,

    /// <summary>AMD GPUs (<c>ROCMExecutionProvider</c>; an ONNX Runtime build with ROCm).</summary>
    Rocm,

    /// <summary>Intel CPUs, GPUs and NPUs (<c>OpenVINOExecutionProvider</c>; the <c>Intel.ML.OnnxRuntime.OpenVino</c> build).</summary>
    OpenVino,

    /// <summary>DirectX 12 GPUs on Windows (<c>DmlExecutionProvider</c>; the <c>Microsoft.ML.OnnxRuntime.DirectML</c> build).</summary>
    DirectMl,
}
