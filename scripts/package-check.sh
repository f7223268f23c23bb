#!/usr/bin/env bash
# Proves the packages work the way a user gets them: packs the solution to a local folder feed, installs the
# `dotnet new agentdsl` template from it into a temporary template hive, creates a project, builds, tests and runs
# it against the feed, installs the `agentdsl` tool from the feed and runs `agentdsl devices` and `agentdsl ir` on
# the new project, and checks that the package's analyzers stop a build the hardware profile cannot serve.
# Offline apart from the package sources this machine already uses; nothing is installed outside a temporary folder. Each step is one result in tests/AgentDsl.PackageCheck/TestResults/results.trx, which
# .ci/run counts with the test projects' results; any failed step exits non-zero.
# Run alone: bash scripts/package-check.sh [Debug|Release]. scripts/test.sh runs it with --no-build after
# `dotnet test` has built the solution in Debug, so the pack step only packs (about 5 s instead of about 2 min).
# (AGENTDSL_PACKAGE_CHECK_KEEP=1 keeps the temporary folder, with each step's log, after a pass too).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
configuration=Debug; pack_build=()
for arg in "$@"; do
  case "$arg" in
    --no-build) pack_build=(--no-build) ;;
    Debug|Release) configuration=$arg ;;
    *) echo "package-check: unknown argument '$arg' (expected Debug, Release or --no-build)" >&2; exit 2 ;;
  esac
done
results_dir="$repo/tests/AgentDsl.PackageCheck/TestResults"
work=$(mktemp -d "${TMPDIR:-/tmp}/agentdsl-package-check.XXXXXX")
feed="$work/feed"
log="$work/log"
mkdir -p "$feed" "$log" "$results_dir"

# The machine's package sources, read before DOTNET_CLI_HOME moves the user configuration away.
machine_packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
mapfile -t sources < <(dotnet nuget list source --format short 2>/dev/null | awk '$1 ~ /^E/ { print $2 }')

passed=0; failed=0; trx_results=""
started=$(date -u +%Y-%m-%dT%H:%M:%S)
step() {   # step <name> <command...>: runs the command, logs it, records a result
  local name=$1; shift
  local t0=$SECONDS outcome=Passed
  if ! "$@" >"$log/$name.log" 2>&1; then
    outcome=Failed
    echo "package-check: FAILED: $name (last lines of $log/$name.log):" >&2
    tail -n 40 "$log/$name.log" >&2
  fi
  local secs=$((SECONDS - t0))
  echo "package-check: $outcome: $name (${secs} s)"
  if [ "$outcome" = Passed ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  trx_results+="<UnitTestResult testName=\"PackageCheck.$name\" outcome=\"$outcome\" duration=\"$(printf '%02d:%02d:%02d' $((secs / 3600)) $((secs / 60 % 60)) $((secs % 60)))\" />"
  [ "$outcome" = Passed ]
}

write_trx() {
  local total=$((passed + failed))
  cat >"$results_dir/results.trx" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<TestRun name="package-check $started" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Results>$trx_results</Results>
  <ResultSummary outcome="$([ "$failed" -eq 0 ] && echo Completed || echo Failed)">
    <Counters total="$total" executed="$total" passed="$passed" failed="$failed" />
  </ResultSummary>
</TestRun>
EOF
}

finish() {
  write_trx
  echo "package-check: $passed passed, $failed failed in ${SECONDS} s (logs: $log)"
  if [ "$failed" -eq 0 ] && [ -z "${AGENTDSL_PACKAGE_CHECK_KEEP:-}" ]; then rm -rf "$work"; fi
}
trap finish EXIT

# 1. Every package, from the solution, to the folder feed.
step pack dotnet pack AgentDsl.sln -c "$configuration" "${pack_build[@]}" -o "$feed" || exit 1
version=$(ls "$feed" | sed -n 's/^AgentDsl\.Runtime\.\(.*\)\.nupkg$/\1/p' | head -n 1)
check_contents() {
  for p in AgentDsl AgentDsl.Hosting.Abstractions AgentDsl.Runtime AgentDsl.OpenCL AgentDsl.Planning AgentDsl.Cli AgentDsl.Templates; do
    [ -e "$feed/$p.$version.nupkg" ] || { echo "missing $p.$version.nupkg"; return 1; }
  done
  local listing
  listing=$(unzip -l "$feed/AgentDsl.$version.nupkg")
  for dll in AgentDsl.Generators AgentDsl.Analyzers AgentDsl.CodeFixes; do
    grep -q "analyzers/dotnet/cs/$dll.dll" <<<"$listing" || { echo "AgentDsl.$version.nupkg lacks analyzers/dotnet/cs/$dll.dll"; return 1; }
  done
  unzip -p "$feed/AgentDsl.Runtime.$version.nupkg" AgentDsl.Runtime.nuspec | grep -q '<license type="expression">MIT</license>' || { echo "no MIT licence expression"; return 1; }
  [ -e "$feed/AgentDsl.Runtime.$version.snupkg" ] || { echo "no symbols package"; return 1; }
}
step package-contents check_contents

# 2. A user's machine: its own CLI home (template hive, tools), its own package folder for the AgentDsl packages
#    (so a stale 0.1.0 from an earlier run is never used), the machine's packages as a read-only fallback.
export DOTNET_CLI_HOME="$work/home" NUGET_PACKAGES="$work/packages" DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$DOTNET_CLI_HOME"
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"agentdsl-local\" value=\"$feed\" />"
  i=0; for s in "${sources[@]}"; do echo "    <add key=\"machine-$i\" value=\"$s\" />"; i=$((i + 1)); done
  echo '  </packageSources>'
  echo "  <fallbackPackageFolders><add key=\"machine\" value=\"$machine_packages\" /></fallbackPackageFolders>"
  echo '</configuration>'
} >"$work/nuget.config"

step template-install dotnet new install "$feed/AgentDsl.Templates.$version.nupkg" || exit 1
step template-create bash -c "cd '$work' && dotnet new agentdsl -n MyAgent" || exit 1
app="$work/MyAgent"
step app-build dotnet build "$app/MyAgent.slnx" || exit 1
step app-test dotnet test "$app/MyAgent.slnx" --no-build
run_app() { out=$(dotnet run --no-build --project "$app/src/MyAgent" -- ada) && echo "$out" && grep -q '^HELLO ADA in ' <<<"$out"; }
step app-run run_app

# 3. The tool, from the same feed, on the new project.
step tool-install dotnet tool install --tool-path "$work/tools" --configfile "$work/nuget.config" AgentDsl.Cli --version "$version" || exit 1
run_devices() { out=$("$work/tools/agentdsl" devices) && echo "$out" && grep -q '^cpu: ' <<<"$out"; }
step tool-devices run_devices
run_ir() {
  local dll
  dll=$(find "$app/src/MyAgent/bin" -name MyAgent.dll | head -n 1)
  out=$("$work/tools/agentdsl" ir --graph "$dll" --format json) && echo "$out" && grep -q '"Greet"' <<<"$out" && grep -q '"Shout"' <<<"$out"
}
step tool-ir run_ir

# 4. The analyzers came with the one AgentDsl reference: an operator too slow for agentdsl.hardware.json must
#    stop the build with ADSL0201 (placement against the profile).
analyzer_stops_build() {
  sed -i 's/^    \[Operator\]$/    [Operator(OperatorKind.Compute, Flops = 1e18)]/' "$app/src/MyAgent/Greeter.cs"
  grep -q 'Flops = 1e18' "$app/src/MyAgent/Greeter.cs" || { echo "could not edit Greeter.cs"; return 1; }
  if dotnet build "$app/src/MyAgent" >"$log/analyzer-build.log" 2>&1; then echo "the build passed; expected ADSL0201"; return 1; fi
  grep -m 1 'error ADSL0201' "$log/analyzer-build.log"
}
step analyzer-adsl0201 analyzer_stops_build

[ "$failed" -eq 0 ]
