#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages porttune builds and tests with; enable deb-src
# (from the existing apt sources) so jansson's source package can be fetched.
#
#   sh scripts/deps.sh [GROUP...]    default (and "all"): every group, which
#                                    is what `make deps`, `make test` and
#                                    .ci/run install
set -eu
ALL_GROUPS="build test windows puppet fuzz arch"
PKGS="${*:-all}"
[ "$PKGS" != all ] || PKGS=$ALL_GROUPS
need=""
want() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done; }
for group in $PKGS; do
  case "$group" in
    build) want make gcc binutils cmake musl-tools dpkg-dev libjansson-dev ;;
    test)  want libcmocka-dev pkg-config iproute2 util-linux procps cppcheck \
                python3-venv python3-yaml socat openssh-server openssh-client git jq ;;
    windows) want gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64 wine ;;
    puppet) want puppet puppet-lint ruby-rspec ruby-rspec-puppet ruby-puppetlabs-spec-helper ;;
    # Foreign-architecture binaries run under qemu-user (make arch-test); their
    # compiler, zig, comes from PyPI (make zig).
    arch) want qemu-user-static binutils python3-venv ;;
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
