#!/usr/bin/env bash
# The run-on-GPU check (issue «Real engines, real work»): on a machine with an NVIDIA/AMD GPU, its
# OpenCL driver (ICD) and the .NET 10 SDK, runs in under 10 minutes and writes what it measured to
# ${OUT:-gpu-check-out}/. It does not install PoCL: the GPU's platform is the only OpenCL platform,
# and AGENTDSL_REQUIRE_OPENCL=1 makes a missing one an error instead of a silent CPU fallback.
#
#   bash scripts/gpu-check.sh
#
# What runs on the GPU here: generated OpenCL kernels (the OpenCL tests), the retrieval index's
# top-k scoring kernel (tests: recall@k = 1.0 against brute force; benchmark: queries per second
# against TensorPrimitives on the host CPU). What does not: llama.cpp (only the CPU backend package
# is served to this project; with a CUDA backend package the same engine code would offload layers)
# and ONNX Runtime's CUDA provider (the CPU runtime package has none: AgentDsl:Onnx:ExecutionProvider=Cuda
# fails start with the list of providers present, which the script records).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu-check-out}"
mkdir -p "$out"
export AGENTDSL_REQUIRE_OPENCL=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

{ nvidia-smi || rocm-smi || true; } > "$out/gpu.txt" 2>&1
{ command -v clinfo >/dev/null && clinfo -l; } > "$out/opencl-platforms.txt" 2>&1 || true

dotnet build -c Release AgentDsl.sln > "$out/build.txt" 2>&1

# Correctness on the GPU's OpenCL device (kernels, exact top-k).
dotnet test -c Release --no-build tests/AgentDsl.OpenCL.Tests --logger "console;verbosity=normal" > "$out/opencl-tests.txt" 2>&1 || echo "OpenCL tests FAILED" | tee -a "$out/summary.txt"
dotnet test -c Release --no-build tests/AgentDsl.Retrieval.Tests --logger "console;verbosity=normal" > "$out/retrieval-tests.txt" 2>&1 || echo "Retrieval tests FAILED" | tee -a "$out/summary.txt"

# Speed: top-k on the GPU vs TensorPrimitives on the host (BenchmarkDotNet, short job).
timeout 240 dotnet run -c Release --no-build --project tests/AgentDsl.Benchmarks -- --filter '*RetrievalBenchmarks*' --job short \
  --artifacts "$out/bdn" > "$out/retrieval-bench.txt" 2>&1 || echo "retrieval benchmark did not finish" | tee -a "$out/summary.txt"

# The RAG agent end to end (retrieval on the GPU, LLM on llama.cpp's CPU contexts), a few requests.
timeout 180 dotnet run -c Release --no-build --project samples/RagAgent -- --requests 4 --chunks 2000 > "$out/rag-agent.txt" 2>&1 || echo "RagAgent did not finish" | tee -a "$out/summary.txt"

grep -hE "Passed!|Failed!" "$out"/*-tests.txt | tee -a "$out/summary.txt"
grep -E "^\|.*(Kernel|Managed|Tensor|OpenCl)" "$out/retrieval-bench.txt" | tee -a "$out/summary.txt" || true
grep -E "top-k kernel on|prefill|decode|kv-transfer|SLA" "$out/rag-agent.txt" | tail -8 | tee -a "$out/summary.txt" || true
echo "gpu-check: results in $out/"
