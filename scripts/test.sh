#!/bin/sh
# Installs what is missing, builds with warnings as errors, and runs every
# test. Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit 1

passed=0
failed=0
status=0
recap=$(mktemp)

count() {
  # Adds meson's "Ok:/Fail:/..." summary of a test log to the totals.
  log="$1"
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  ex=$(sed -n 's/^Expected Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  fa=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  up=$(sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  passed=$((passed + ${ok:-0} + ${ex:-0}))
  failed=$((failed + ${fa:-0} + ${up:-0} + ${to:-0}))
  # CI shows only the end of the output, so the failures and their GLib
  # assertion messages are repeated just above the closing count.
  grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS) ' "$log" >> "$recap"
  if [ $((${fa:-0} + ${up:-0} + ${to:-0})) -gt 0 ]; then
    grep -E '^(not ok |Bail out!)|ERROR:|^FAIL|: FAIL' "$log" | head -n 30 >> "$recap"
  fi
}

stage() {
  name="$1"; shift
  echo "=== $name"
  if ! "$@"; then
    echo "=== $name: FAILED"
    status=1
  fi
}

# 1. Normal build, every suite. UI tests need an X server.
stage "build" sh -c '[ -d build-test ] || meson setup build-test --werror -Dfuzzers=false; ninja -C build-test'
if [ -f build-test/build.ninja ]; then
  xvfb-run -a -s "-screen 0 1400x900x24" meson test -C build-test --print-errorlogs \
      --no-rebuild --num-processes 2 > build-test/test-output.log 2>&1
  rc=$?
  cat build-test/test-output.log
  count build-test/test-output.log
  [ $rc -eq 0 ] || status=1
fi

# 2. The same suites once more under ASan + UBSan.
stage "asan build" sh -c '[ -d build-asan ] || meson setup build-asan --werror -Db_sanitize=address,undefined -Db_lundef=false -Dui_tests=false; ninja -C build-asan'
if [ -f build-asan/build.ninja ]; then
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --no-rebuild --num-processes 2 \
      --no-suite live --no-suite bench > build-asan/test-output.log 2>&1
  rc=$?
  cat build-asan/test-output.log
  count build-asan/test-output.log
  [ $rc -eq 0 ] || status=1
fi

# 3. Extra stages contributed by the other areas (mingw/wine, fuzz smoke).
for extra in scripts/test.d/*.sh; do
  [ -f "$extra" ] || continue
  out=$(mktemp)
  sh "$extra" > "$out" 2>&1
  rc=$?
  cat "$out"
  count "$out"
  rm -f "$out"
  [ $rc -eq 0 ] || status=1
done

if [ -s "$recap" ]; then
  echo "=== failures"
  cat "$recap"
fi
rm -f "$recap"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] || status=1
exit $status
