#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages porttune builds and tests with; enable deb-src
# (from the existing apt sources) so jansson's source package can be fetched.
set -eu
PKGS="${*:-build test}"
need=""
want() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done; }
for group in $PKGS; do
  case "$group" in
    build) want make gcc cmake musl-tools dpkg-dev libjansson-dev ;;
    test)  want libcmocka-dev pkg-config iproute2 util-linux procps cppcheck \
                python3-venv python3-yaml socat openssh-server openssh-client iproute2 ;;
    windows) want gcc-mingw-w64-x86-64 wine64 wine jq python3-yaml iproute2 util-linux ;;
    puppet) want puppet ;;
    fuzz) want clang libclang-rt-14-dev clang-tidy cppcheck valgrind jq util-linux ;;
    *) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
  esac
done
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q '^Types:.*deb-src' "$src"; then
  sed -i 's/^Types: deb$/Types: deb deb-src/' "$src"
  updated=""
fi
if [ -n "$need" ] || [ "${updated-x}" = "" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  [ -z "$need" ] || apt-get install -y -qq --no-install-recommends $need
fi
