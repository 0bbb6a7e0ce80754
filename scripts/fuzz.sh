#!/bin/sh
# Builds the libFuzzer harnesses (clang, ASan + UBSan) in build-fuzz and
# runs each for SECONDS (default 60). Corpora grow in build-fuzz/corpus/,
# seeded from the fixtures; crashes land in build-fuzz/findings/. Ends with
# "Ok: N" and "Fail: N" (harnesses without / with a finding).
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
# FUZZ_RUNS=N also stops a harness after N executions (a campaign of
# "10 M executions or 1 h, whichever comes first" is FUZZ_RUNS=10000000
# with SECONDS=3600). FUZZ_OUT=DIR keeps that run's corpora, findings and
# logs apart (default build-fuzz). FUZZ_TIMEOUT=S is the seconds after which
# one input counts as a hang (default 10; wall-clock time, so a campaign
# run at a low priority beside other load raises it).
set -u
cd "$(dirname "$0")/.."

seconds="${1:-60}"
[ $# -gt 0 ] && shift
harnesses="${*:-etl xpress record fields decode tracelogging filter export export-file}"
fixtures="$(cd .. && pwd)/shared/fixtures/etl"
build=build-fuzz
out="${FUZZ_OUT:-$build}"
mkdir -p "$out"

if [ ! -f "$build/build.ninja" ]; then
  # Coverage instrumentation everywhere (fuzzer-no-link); the harnesses
  # link libFuzzer itself. UBSan findings abort like crashes.
  CC=clang meson setup "$build" --werror -Dfuzzers=true \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" \
    -Dgui=disabled -Dui_tests=false >"$build.setup.log" 2>&1 || {
    cat "$build.setup.log"
    echo "fuzz: cannot configure $build"
    echo "Ok: 0"
    echo "Fail: 1"
    exit 1
  }
fi

targets="tests/fuzz/make-corpus"
for h in $harnesses; do
  targets="$targets tests/fuzz/fuzz-$h"
done
# Harnesses of parts not built in this tree (e.g. data/ without GLib) are
# skipped: ask ninja which targets exist.
ninja -C "$build" build.ninja >/dev/null 2>&1
known=$(ninja -C "$build" -t targets all 2>/dev/null | sed -n 's/^\(tests\/fuzz\/[a-z-]*\): .*/\1/p')
build_targets=""
for t in $targets; do
  if echo "$known" | grep -qx "$t"; then
    build_targets="$build_targets $t"
  fi
done
# shellcheck disable=SC2086
if ! ninja -C "$build" $build_targets; then
  echo "fuzz: build failed"
  echo "Ok: 0"
  echo "Fail: 1"
  exit 1
fi

# Seeds: regenerated from the fixtures (the .etl.gz inflated first).
seeds="$out/seeds"
rm -rf "$seeds"
gzip -dc "$fixtures/etwanalyzer_TraceLoggingTester.etl.gz" > "$out/TraceLoggingTester.etl" 2>/dev/null
ASAN_OPTIONS=detect_leaks=0 "$build/tests/fuzz/make-corpus" "$seeds" "$fixtures" \
  "$out/TraceLoggingTester.etl" >/dev/null || echo "fuzz: make-corpus failed"
rm -f "$out/TraceLoggingTester.etl"
mkdir -p "$out/findings"

ok=0
fail=0
for h in $harnesses; do
  exe="$build/tests/fuzz/fuzz-$h"
  if [ ! -x "$exe" ]; then
    echo "fuzz-$h: not built here, skipped"
    continue
  fi
  mkdir -p "$out/corpus/$h" "$seeds/$h"
  case $h in
    etl|export-file) max_len=262144 ;;
    xpress) max_len=70000 ;;
    *) max_len=65536 ;;
  esac
  extra=""
  [ -f "tests/fuzz/$h.dict" ] && extra="-dict=tests/fuzz/$h.dict"
  # The writers take decode's events; the whole-path export takes .etl files.
  [ "$h" = export ] && extra="$seeds/decode"
  [ "$h" = export-file ] && extra="$seeds/etl"
  # Kept inputs; git keeps no empty folder, and libFuzzer refuses a
  # missing one.
  [ -d "tests/fuzz/regress/$h" ] && extra="$extra tests/fuzz/regress/$h"
  log="$out/fuzz-$h.log"
  # shellcheck disable=SC2086
  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ETWSCOPE_FIXTURES="$fixtures" \
    "$exe" -max_total_time="$seconds" -runs="${FUZZ_RUNS:--1}" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=$max_len \
      -print_final_stats=1 -artifact_prefix="$out/findings/$h-" \
      "$out/corpus/$h" "$seeds/$h" $extra >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  if [ $rc -eq 0 ]; then
    ok=$((ok + 1))
    echo "fuzz-$h: ${execs:-0} executions in ${took:-$seconds} s, ${cov:-cov: ?}, no finding"
  else
    fail=$((fail + 1))
    echo "fuzz-$h: FINDING after ${execs:-?} executions (exit $rc); log $log"
    grep -E 'ERROR|runtime error|check failed|Test unit written' "$log" | head -n 5
  fi
done

echo "Ok: $ok"
echo "Fail: $fail"
[ $fail -eq 0 ]
