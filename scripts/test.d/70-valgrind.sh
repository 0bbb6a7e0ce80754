#!/bin/sh
# valgrind memcheck on etwcat over every fixture (--format jsonl: every
# event decoded and written). Any memory error or definite/possible leak
# fails that fixture. Prints "Ok: N" / "Fail: N" for scripts/test.sh.
cd "$(dirname "$0")/../.."
echo "=== valgrind memcheck: etwcat --format jsonl on every fixture"

fixtures="$(cd .. && pwd)/shared/fixtures/etl"
# The normal build of scripts/test.sh's first stage; our own if it is absent.
etwcat=build-test/app/etwcat
if [ ! -x "$etwcat" ]; then
  [ -f build-hard/build.ninja ] || meson setup build-hard --werror >/dev/null 2>&1
  ninja -C build-hard app/etwcat >/dev/null 2>&1
  etwcat=build-hard/app/etwcat
fi
if [ ! -x "$etwcat" ] || ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind: no etwcat build or no valgrind"
  echo "Ok: 0"
  echo "Fail: 1"
  exit 1
fi

supp=""
[ -f /usr/share/glib-2.0/valgrind/glib.supp ] && supp="--suppressions=/usr/share/glib-2.0/valgrind/glib.supp"
[ -f tests/valgrind/etwscope.supp ] && supp="$supp --suppressions=tests/valgrind/etwscope.supp"
logs=$(mktemp -d)

run() {
  f="$1"
  name=$(basename "$f")
  # G_SLICE/G_DEBUG: GLib's allocators hand memory back so that it counts.
  G_SLICE=always-malloc G_DEBUG=gc-friendly \
    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
      --num-callers=30 $supp "$etwcat" --format jsonl "$f" >/dev/null 2>"$logs/$name.log"
  echo $? >"$logs/$name.rc"
}

# Two at a time: the machine has two cores.
set -- "$fixtures"/*.etl "$fixtures"/*.etl.gz
while [ $# -gt 0 ]; do
  run "$1" &
  if [ $# -gt 1 ]; then
    run "$2" &
    shift
  fi
  shift
  wait
done

ok=0
fail=0
for rcfile in "$logs"/*.rc; do
  name=$(basename "$rcfile" .rc)
  rc=$(cat "$rcfile")
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$logs/$name.log" | tail -n 1)
  lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$logs/$name.log" | tail -n 1)
  # etwcat exits 0, or 1 for a damaged file (none of the fixtures is).
  if [ "$rc" = 0 ] && [ "${errors:-1}" = 0 ]; then
    ok=$((ok + 1))
    echo "valgrind $name: clean (0 errors, ${lost:-0} bytes definitely lost)"
  else
    fail=$((fail + 1))
    echo "valgrind $name: FAILED (exit $rc, ${errors:-?} errors)"
    grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ bytes in)' \
      "$logs/$name.log" | head -n 10
  fi
done
rm -rf "$logs"
echo "Ok: $ok"
echo "Fail: $fail"
[ $fail -eq 0 ]
