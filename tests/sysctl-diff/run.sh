#!/bin/bash
# SPDX-License-Identifier: MIT
# Differential test of porttune's boot-order model against the real
# systemd-sysctl: usage run.sh BINARY [CASES] [SEED].
#
# Everything happens in a new mount and network namespace: tmpfs/overlays
# cover every directory systemd-sysctl reads and /etc (for /etc/sysctl.conf),
# and systemd-sysctl runs only with --prefix=/net/ipv4 inside further fresh
# network namespaces, so neither the machine's files nor its kernel settings
# are touched.
set -u
BIN=${1:?usage: run.sh BINARY [CASES] [SEED]}
die() { echo "sysctl-diff: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (mount and network namespaces)"
SD=/usr/lib/systemd/systemd-sysctl
[ -x "$SD" ] || die "$SD is missing (install the systemd package)"
for c in unshare python3 mount; do
  command -v "$c" >/dev/null || die "$c is missing"
done
[ -x "$BIN" ] || die "$BIN is not built"
BIN=$(readlink -f "$BIN")
HOST_NETNS=$(readlink /proc/self/ns/net)
export HOST_NETNS
exec unshare --mount --net --propagation private -- \
  python3 "$(dirname "$0")/diff.py" "$BIN" "$SD" "${2:-300}" "${3:-11}"
