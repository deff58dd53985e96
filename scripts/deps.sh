#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages porttune builds and tests with; enable deb-src
# (from the existing apt sources) so jansson's source package can be fetched.
#
#   sh scripts/deps.sh [GROUP...]    default (and "all"): every group, which
#                                    is what `make deps`, `make test` and
#                                    .ci/run install
set -eu
ALL_GROUPS="build test windows puppet fuzz sysctl-diff dist metrics report arch"
PKGS="${*:-all}"
[ "$PKGS" != all ] || PKGS=$ALL_GROUPS
need=""
want() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done; }
for group in $PKGS; do
  case "$group" in
    build) want make gcc binutils cmake musl-tools dpkg-dev libjansson-dev ;;
    test)  want libcmocka-dev pkg-config iproute2 util-linux procps cppcheck \
                python3-venv python3-yaml socat openssh-server openssh-client git jq ;;
    windows) want gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64 wine facter jq python3-yaml iproute2 util-linux ;;
    puppet) want puppet puppet-lint ruby-rspec ruby-rspec-puppet ruby-puppetlabs-spec-helper ;;
    # make deb / dist / deb-test / repro-test: Debian's packaging tools,
    # lintian, man (renders the installed page), git (clones, file lists)
    dist) want debhelper dpkg-dev lintian fakeroot man-db git gzip python3-yaml ;;
    metrics) want prometheus prometheus-node-exporter systemd ;;
    # The fleet report's browser check (tests/report) and the README screenshot's optimizer.
    report) want chromium optipng python3-yaml ;;
    # Foreign-architecture binaries run under qemu-user (make arch-test); their
    # compiler, zig, comes from PyPI (make zig).
    arch) want qemu-user-static binutils python3-venv ;;
    fuzz) want clang libclang-rt-14-dev clang-tidy cppcheck valgrind jq util-linux ;;
    sysctl-diff) want systemd python3 util-linux ;;
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
  # prometheus and prometheus-node-exporter are daemons that listen on every
  # interface (:9090, :9100); the tests run their own on loopback in a
  # network namespace. A policy-rc.d that answers 101 keeps the packages'
  # maintainer scripts from starting them; units they enabled for the next
  # boot are disabled again (only those of packages installed just now).
  policy=/usr/sbin/policy-rc.d daemons=""
  for p in $need; do
    case "$p" in prometheus|prometheus-node-exporter) daemons="$daemons $p" ;; esac
  done
  if [ -n "$daemons" ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# deps.sh: no daemon starts during this install\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  [ -z "$need" ] || apt-get install -y -qq --no-install-recommends $need
  if [ -n "$daemons" ] && [ -d /run/systemd/system ]; then
    for p in $daemons; do systemctl disable --now "$p.service" >/dev/null 2>&1 || true; done
  fi
fi
