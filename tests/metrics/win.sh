#!/bin/bash
# SPDX-License-Identifier: MIT
# `porttune.exe metrics` under Wine, in a throwaway WINEPREFIX and a network
# namespace of its own: the settings part from the registry and (the test
# double of) netsh, the diagnosis part from GetExtendedTcpTable (Wine answers
# it from this namespace's /proc/net/tcp{,6}: one listener the test opens),
# the file replaced atomically with the Windows API; promtool checks it.
#
# usage: tests/metrics/win.sh [EXE] [FAKE_NETSH]
#   defaults: library/porttune.exe, build/win/fake_netsh.exe (the TEST DOUBLE
#   of tests/win, as there: Wine's netsh has no dynamicport)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
exe=$(realpath "${1:-$top/library/porttune.exe}")
fake=$(realpath "${2:-$top/build/win/fake_netsh.exe}")
fail() { echo "FAIL metrics win.sh: $*" >&2; exit 1; }
wine=$(command -v wine || command -v wine64) || fail "needs wine (sh scripts/deps.sh windows)"
[ -f "$exe" ] || fail "no $exe (make windows)"
[ -f "$fake" ] || fail "no $fake (make build/win/fake_netsh.exe)"
command -v promtool >/dev/null || fail "promtool missing (sh scripts/deps.sh metrics)"
if [ "${PT_METRICS_WIN_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || fail "needs root for unshare -n; running as uid $(id -u)"
  exec unshare -n env PT_METRICS_WIN_NETNS=1 bash "$0" "$exe" "$fake"
fi
ip link set lo up

export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
WINEPREFIX=$(mktemp -d /tmp/pt-metrics-wine.XXXXXX)
export WINEPREFIX
cleanup() { wineserver -k 2>/dev/null || true; rm -rf "$WINEPREFIX"; }
trap cleanup EXIT
wineboot -i >/dev/null 2>&1 || fail "wineboot -i failed in $WINEPREFIX"
c=$WINEPREFIX/drive_c/pt
mkdir -p "$c/out"
cp "$exe" "$c/porttune.exe"
# shellcheck source=tests/win/lib.sh
. "$top/tests/win/lib.sh"
pt_wine_install_netsh "$fake" "$c" || fail "cannot install the netsh double"
export FAKE_NETSH_STATE='C:\pt\netsh-state.txt'
printf 'ipv4 49152 16384\nipv6 49152 16384\nexcl-list\n' >"$c/netsh-state.txt"
"$wine" reg add 'HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters' \
  /v TcpTimedWaitDelay /t REG_DWORD /d 30 /f >/dev/null 2>&1 || fail "wine reg add"

# One listener inside the dynamic range, held while the runs read the table.
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",50000)); s.listen(); time.sleep(120)' &
holder=$!
trap 'kill "$holder" 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do grep -q ':C350 00000000:0000 0A' /proc/net/tcp && break; sleep 0.1; done
echo stale >"$c/out/porttune.prom"
for run in 1 2; do
  set +e
  "$wine" 'C:\pt\porttune.exe' metrics --output 'C:\pt\out\porttune.prom' >"$c/stdout" 2>"$c/stderr"
  rc=$?
  set -e
  [ "$rc" = 0 ] || fail "run $run: exit $rc: $(cat "$c/stderr")"
  ! grep -q "warning" "$c/stderr" || fail "run $run: a warning: $(cat "$c/stderr")"
done
[ ! -s "$c/stdout" ] || fail "--output also printed: $(cat "$c/stdout")"
[ "$(ls -A "$c/out")" = porttune.prom ] || fail "leftovers: $(ls -A "$c/out")"
prom=$c/out/porttune.prom
promtool check metrics <"$prom" || fail "promtool check metrics"
want() { grep -qx "$1" "$prom" || fail "no line '$1' in: $(grep -v '^#' "$prom")"; }
want 'porttune_up{part="diagnosis"} 1'
want 'porttune_up{part="settings"} 1'
want 'porttune_build_info{os="windows",version="[0-9.]*"} 1'
want 'porttune_ephemeral_port_range_start 49152'
want 'porttune_ephemeral_port_range_end 65535'
want 'porttune_ephemeral_ports_usable 16384'
want 'porttune_time_wait_duration_seconds 30'
want 'porttune_tcp_sockets{state="LISTEN"} 1'
want 'porttune_listeners 1'
want 'porttune_listeners_in_ephemeral_range 1'
! grep -q '^porttune_tcp_max_tw_buckets' "$prom" || fail "Windows has no tcp_max_tw_buckets"
grep -v '^#' "$prom"
echo "metrics win.sh: all checks passed"
