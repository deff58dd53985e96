#!/bin/bash
# SPDX-License-Identifier: MIT
# CPU per run of the native CLI (`porttune get`, `porttune check`) against
# /bin/true, averaged over ROUNDS runs each. A measurement, not a test: it
# prints figures and fails only when a run fails.
#
#   bash bench/cli/run.sh BINARY [ROUNDS]     (root: a network and mount namespace)
#
# The runs happen in a throwaway network namespace with empty sysctl.d
# directories (tmpfs in a private mount namespace) and the state file in a
# temporary directory, so nothing of the machine is read or written.
set -u
BIN=$(realpath "${1:-library/porttune}")
N=${2:-300}

if [ "${PT_BENCH_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "bench/cli: needs root for network and mount namespaces" >&2; exit 1; }
  [ -x "$BIN" ] || { echo "bench/cli: no binary $BIN" >&2; exit 1; }
  exec unshare --net --mount --propagation private -- env PT_BENCH_INNER=1 bash "$0" "$BIN" "$N"
fi

TMP=$(mktemp -d /tmp/porttune-bench-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
for d in /etc/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
  if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o mode=0755 tmpfs "$d"; fi
done
: >"$TMP/empty"
[ ! -e /etc/sysctl.conf ] || mount --bind "$TMP/empty" /etc/sysctl.conf
ST="--state-file=$TMP/state.json"

# once WANT_RC COMMAND...: one run first, which must end as WANT_RC says
# (check exits 2 when a value is not in sync: the file here is empty).
once() {
  local want=$1 rc; shift
  "$@" >/dev/null; rc=$?
  [ "$rc" = "$want" ] || { echo "bench/cli: '$*' exited $rc, want $want" >&2; exit 1; }
}
# cpu_us COMMAND...: user+system CPU per run in microseconds, over N runs,
# spawn from bash included; steadier than wall time on a shared machine.
cpu_us() {
  local TIMEFORMAT='%3U %3S' out
  out=$( { time (for _ in $(seq "$N"); do "$@" >/dev/null; done); } 2>&1 )
  awk -v n="$N" '{ printf "%d", ($1 + $2) * 1000000 / n }' <<<"$out"
}
once 0 "$BIN" get "$ST"
once 2 "$BIN" check fin_timeout=60 "$ST"
base=$(cpu_us /bin/true)
get=$(cpu_us "$BIN" get "$ST")
chk=$(cpu_us "$BIN" check fin_timeout=60 "$ST")
echo "CPU per run over $N runs: porttune get $get us, porttune check $chk us, /bin/true $base us"
