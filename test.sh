#!/usr/bin/env bash
# Installs what the tests need, builds, runs every test project (unit, integration and the
# conformance suites in tests/conformance), and ends with one line: "N passed, N failed".
#
# With CI=true a prerequisite that cannot be installed fails the run; it is never skipped.
# Environment: MESHTEST_POSTGRES=<connection string> uses an existing PostgreSQL instead of
# starting a throwaway one; TEST_FILTER=<substring> runs only the test projects whose name has it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$(pwd)
ci=${CI:-false}
results="$root/.build/test-results"

# Debian packages the tests drive as real peers (see DEVELOPERS.md for what each is for).
apt_packages=(postgresql sqlite3 librdkafka1 kcat python3-kafka python3-confluent-kafka python3-requests
  python3-avro python3-jsonschema python3-yaml python3-snappy zstd lz4)

say() { printf '\n==> %s\n' "$*"; }
fail() { printf 'test.sh: %s\n' "$*" >&2; echo "0 passed, 1 failed"; exit 1; }

install_prerequisites() {
  say "Prerequisites"
  command -v dotnet >/dev/null || fail "the .NET SDK is required (dotnet not on PATH)"
  local missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "installing: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || fail "apt-get install ${missing[*]} failed"
    else
      fail "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
    fi
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get install -y -qq nodejs npm >/dev/null || fail "node and npm are required (apt-get install nodejs npm failed)"
    else
      fail "node and npm are required (sudo apt-get install nodejs npm)"
    fi
  fi
  if [ -f tests/conformance/package.json ]; then
    if [ ! -d tests/conformance/node_modules ] || [ tests/conformance/package.json -nt tests/conformance/node_modules ] \
       || { [ -f tests/conformance/package-lock.json ] && [ tests/conformance/package-lock.json -nt tests/conformance/node_modules ]; }; then
      echo "installing npm packages for tests/conformance"
      (cd tests/conformance && npm install --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm install in tests/conformance failed"
      touch tests/conformance/node_modules
    fi
  fi
  echo "all prerequisites present"
}

start_postgres() {
  if [ -n "${MESHTEST_POSTGRES:-}" ]; then
    say "PostgreSQL: using MESHTEST_POSTGRES"
    return
  fi
  say "PostgreSQL 15 (throwaway, loopback)"
  pg_dir=$(mktemp -d -t meshwork-pg-XXXXXX)
  MESHTEST_POSTGRES=$(tests/tools/postgres.sh start "$pg_dir") || fail "could not start PostgreSQL (see above)"
  export MESHTEST_POSTGRES
  trap 'tests/tools/postgres.sh stop "$pg_dir"' EXIT
  echo "started on $(echo "$MESHTEST_POSTGRES" | sed -E 's/.*Port=([0-9]+).*/127.0.0.1:\1/')"
}

build() {
  say "Build"
  dotnet build Meshwork.slnx -c Release --nologo -v quiet -clp:NoSummary -warnaserror || fail "build failed"
}

# Runs one xunit v3 test assembly and adds its counts to the totals.
passed=0; failed=0; skipped=0; broken=()
run_tests() {
  local project=$1 name dll xml
  name=$(basename "$project" .csproj)
  dll="$(dirname "$project")/bin/Release/net10.0/$name.dll"
  xml="$results/$name.xml"
  say "Tests: $name"
  rm -f "$xml"
  dotnet "$dll" -noColor -noLogo -xml "$xml" 2>&1 | grep -vE '^\s*(Discovering|Discovered|Starting|Finished):' || true
  if [ ! -f "$xml" ]; then
    broken+=("$name"); failed=$((failed + 1)); return
  fi
  local counts
  counts=$(grep -o '<assembly [^>]*>' "$xml" | head -1)
  attr() { echo "$counts" | grep -oE " $1=\"[0-9]+\"" | grep -oE '[0-9]+' || echo 0; }
  local t f s e
  t=$(attr total); f=$(attr failed); s=$(attr skipped); e=$(attr errors)
  passed=$((passed + t - f - s)); failed=$((failed + f + e)); skipped=$((skipped + s))
}

install_prerequisites
start_postgres
build
mkdir -p "$results"
# The solution is the list of what exists: every test project in it runs.
mapfile -t projects < <(grep -oE 'Path="tests/[^"]*\.Tests\.csproj"' Meshwork.slnx | sed -E 's/^Path="(.*)"$/\1/')
[ ${#projects[@]} -gt 0 ] || fail "no test projects found"
for project in "${projects[@]}"; do
  if [ -n "${TEST_FILTER:-}" ] && [[ "$project" != *"$TEST_FILTER"* ]]; then continue; fi
  run_tests "$project"
done

echo
[ ${#broken[@]} -gt 0 ] && echo "test assemblies that did not run to completion: ${broken[*]}"
# A skipped test is a defect here, not a pass: it fails the run.
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $((failed + skipped)) failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]
