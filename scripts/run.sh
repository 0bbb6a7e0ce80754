#!/bin/sh
# Installs what is missing, builds, and starts the viewer. As root on Linux
# it starts a live capture; otherwise it opens the files given, if any.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -d build ] || meson setup build
ninja -C build
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" -eq 0 ] && [ "$#" -eq 0 ]; then
  exec ./build/app/etwscope --live
fi
exec ./build/app/etwscope "$@"
