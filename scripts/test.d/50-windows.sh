#!/bin/sh
# Windows, without Windows: cross-builds decode/, the ETW backend and its
# console driver with mingw-w64 at --werror, then runs every test of that
# build (tests/decode, tests/windows) as .exe files under wine64.
# Installs nothing (scripts/setup.sh lists gcc-mingw-w64-x86-64 and wine64).
# Prints meson's summary lines (Ok:, Fail:, ...) for scripts/test.sh.
set -u
cd "$(dirname "$0")/../.."

WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
echo "=== windows: mingw-w64 cross build, tests under wine64"

fail() {
  echo "=== windows: $1"
  echo "Fail: 1"
  exit 1
}

command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || fail "x86_64-w64-mingw32-gcc missing (scripts/setup.sh installs it)"
[ -x "$WINE" ] || fail "$WINE missing (scripts/setup.sh installs wine64)"

# Our own prefix inside the build directory; quiet; no Mono/Gecko prompts.
WINEPREFIX="$PWD/build-mingw/wineprefix"
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES

if [ ! -f build-mingw/build.ninja ]; then
  meson setup build-mingw --cross-file cross/x86_64-w64-mingw32.txt \
    -Ddecode_only=true --werror || fail "meson setup failed"
fi
ninja -C build-mingw || fail "cross build failed"

# A new prefix takes seconds to create: do it before the tests, and make it
# report Windows 10 so that the Windows 8+ session code runs.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  "$WINE" wineboot -i >/dev/null 2>&1
  "$WINE" winecfg -v win10 >/dev/null 2>&1
fi

# Start the wineserver and Wine's own services (winedevice.exe, …) here,
# detached from any test's output: started by a test, they would keep its
# stdout open and meson would wait for them until the whole run ends.
"$WINESERVER" -k >/dev/null 2>&1
"$WINESERVER" -p </dev/null >/dev/null 2>&1
"$WINE" cmd /c exit </dev/null >/dev/null 2>&1

meson test -C build-mingw --print-errorlogs --no-rebuild --num-processes 2 \
  > build-mingw/test-output.log 2>&1
rc=$?
cat build-mingw/test-output.log
# Stop the wineserver of this prefix (started by the runs above).
"$WINESERVER" -k >/dev/null 2>&1
exit $rc
