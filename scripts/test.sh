#!/usr/bin/env bash
# Runs every test of the solution. This is the README's test command and exactly what CI runs (.ci/run).
# Needs the .NET SDK named in global.json and Node.js; installs redis-server and the npm stand-ins itself
# (scripts/install-test-deps.sh). Extra arguments go to `dotnet test`
# (e.g. scripts/test.sh --filter "FullyQualifiedName~Frontend").
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK is not on PATH; install the SDK version named in global.json" >&2
  exit 2
fi

scripts/install-test-deps.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
dotnet test MetaServer.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test assemblies' summaries.
passed=$(grep -E 'Total: +[0-9]+' "$log" | grep -oE 'Passed: +[0-9]+' | awk '{s+=$2} END {print s+0}')
failed=$(grep -E 'Total: +[0-9]+' "$log" | grep -oE 'Failed: +[0-9]+' | awk '{s+=$2} END {print s+0}')
skipped=$(grep -E 'Total: +[0-9]+' "$log" | grep -oE 'Skipped: +[0-9]+' | awk '{s+=$2} END {print s+0}')
echo
echo "Tests: $passed passed, $failed failed, $skipped skipped"

if [ "$rc" -ne 0 ]; then
  exit "$rc"
fi
if [ "$passed" -eq 0 ]; then
  echo "error: no test ran" >&2
  exit 1
fi
if [ "$skipped" -ne 0 ]; then
  echo "error: $skipped test(s) skipped; a skip must not hide a missing dependency" >&2
  exit 1
fi
