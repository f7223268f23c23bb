#!/usr/bin/env bash
# Runs every AgentDsl test on a fresh machine with the .NET 10 SDK and apt.
# First installs what the tests need when it is missing (PoCL and the OpenCL ICD loader for the
# OpenCL backend, mlir-15-tools for the MLIR export tests), then runs `dotnet test` on the solution and
# scripts/package-check.sh (the NuGet packages, the template and the tool, installed from a local feed).
# Extra arguments go to `dotnet test` (for example: --filter FullyQualifiedName~Runtime).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
if ! command -v mlir-opt-15 >/dev/null 2>&1 && [ ! -x /usr/lib/llvm-15/bin/mlir-opt ]; then missing+=(mlir-15-tools); fi
if [ ! -e /etc/OpenCL/vendors/pocl.icd ]; then missing+=(pocl-opencl-icd); fi
if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1'; then missing+=(ocl-icd-libopencl1); fi
if ! command -v unzip >/dev/null 2>&1; then missing+=(unzip); fi   # scripts/package-check.sh reads the packages

if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing test prerequisites: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Each test project writes tests/<project>/TestResults/results.trx; .ci/run adds them up.
rm -rf tests/*/TestResults
dotnet test AgentDsl.sln --logger "trx;LogFileName=results.trx" "$@"

# The packages as a user gets them: pack to a folder feed, `dotnet new agentdsl`, build, test and run the new project,
# install the agentdsl tool and run it on that project (tests/AgentDsl.PackageCheck/TestResults/results.trx).
# --no-build: the packages are the Debug build `dotnet test` has just made.
bash scripts/package-check.sh --no-build
