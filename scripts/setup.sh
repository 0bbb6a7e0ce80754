#!/bin/sh
# Installs what etwscope needs on Debian 12 when it is missing. Safe to run
# again: it only calls apt-get when a package is absent.
set -eu

PACKAGES="
  meson ninja-build pkg-config gcc clang llvm
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libjson-glib-dev zlib1g-dev
  libtraceevent-dev libtracefs-dev libbpf-dev bpftool libelf-dev libdw-dev
  xvfb xauth imagemagick appstream desktop-file-utils
  fonts-dejavu-core adwaita-icon-theme hicolor-icon-theme dbus-x11
  gcc-mingw-w64-x86-64 wine64
  libclang-rt-14-dev valgrind linux-perf python3
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  echo "setup: installing:$missing"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing
else
  echo "setup: all packages present"
fi
