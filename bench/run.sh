#!/usr/bin/env bash
# Runs the benchmarks and writes their results to bench/results/. Never part of ./test.sh.
#   bench/run.sh [avro|registry|materializer|all] [--seconds N] [--rounds N] [--records N] [--concurrency N]
#                [--duration N] [--commit-interval-ms N]
# Requires: the .NET SDK; node and npm, with avsc installed in tests/conformance (the Avro reference):
#   apt-get install nodejs npm && (cd tests/conformance && npm install)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v dotnet >/dev/null || { echo "bench/run.sh: the .NET SDK is required (dotnet not on PATH)" >&2; exit 2; }
what=${1:-all}
if [ "$what" = avro ] || [ "$what" = all ]; then
  command -v node >/dev/null || { echo "bench/run.sh: node is required for the avsc reference: apt-get install nodejs npm" >&2; exit 2; }
  [ -d tests/conformance/node_modules/avsc ] || { echo "bench/run.sh: avsc is missing: (cd tests/conformance && npm install)" >&2; exit 2; }
fi
dotnet build bench/Meshwork.Bench -c Release --nologo -v quiet -clp:NoSummary
dotnet bench/Meshwork.Bench/bin/Release/net10.0/Meshwork.Bench.dll "$@"
