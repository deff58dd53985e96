#!/bin/bash
# SPDX-License-Identifier: MIT
# Bench (not a test): `porttune.exe diagnose --json` next to `netstat -ano`,
# both run by the same Wine in one prefix, at N client-side TIME_WAIT sockets
# (default 20000) made in a network namespace of its own (Wine reads that
# namespace's TCP table). Prints one Markdown table: median wall and CPU time
# and peak RSS of REPS runs each (bench/diag/measure.c), and the ratios.
#
#   run.sh [N] [REPS]      needs root (unshare -n), Wine, build/diag/{measure,twgen},
#                          library/porttune.exe, build/win/fake_netsh.exe
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
n=${1:-20000}
reps=${2:-3}
die() { echo "bench/windiag: $*" >&2; exit 1; }

if [ "${PT_WINBENCH_IN_NS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "needs root for a network namespace (unshare -n)"
  exec env PT_WINBENCH_IN_NS=1 unshare -n bash "$0" "$@"
fi
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  die "not in a new network namespace; refusing to write sysctls"
b=$ROOT/build/diag
for f in "$b/measure" "$b/twgen" "$ROOT/library/porttune.exe" "$ROOT/build/win/fake_netsh.exe"; do
  [ -x "$f" ] || [ -f "$f" ] || die "missing $f"
done
WINE=$(command -v wine) || die "needs wine"

# The double's default dynamic range 49152-65535 and exclusions (5357, an
# administered 50000-50059): Linux hands out the same ports.
ip link set lo up
echo "49152 65535" >/proc/sys/net/ipv4/ip_local_port_range
echo "50000-50059" >/proc/sys/net/ipv4/ip_local_reserved_ports
echo 262144 >/proc/sys/net/ipv4/tcp_max_tw_buckets
echo 0 >/proc/sys/net/ipv4/tcp_tw_reuse

export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
WINEPREFIX=$(mktemp -d /tmp/porttune-winbench.XXXXXX) || die "mktemp failed"
export WINEPREFIX
trap 'wineserver -k 2>/dev/null; rm -rf "$WINEPREFIX"' EXIT
wineboot -i >/dev/null 2>&1 || die "wineboot -i failed"
wineserver -p
C=$WINEPREFIX/drive_c/pt
mkdir -p "$C"
cp "$ROOT/library/porttune.exe" "$C/"
# shellcheck source=tests/win/lib.sh
. "$ROOT/tests/win/lib.sh"
pt_wine_install_netsh "$ROOT/build/win/fake_netsh.exe" "$C" || die "cannot install the netsh double"
export FAKE_NETSH_STATE='C:\pt\netsh-state.txt'
# Warm-up: Wine loads its DLLs once into the page cache.
"$WINE" 'C:\pt\porttune.exe' diagnose --json >/dev/null 2>&1
"$WINE" netstat -ano >/dev/null 2>&1

"$b/twgen" "$n" 5 8080 || die "twgen failed"
tw_now() { "$WINE" 'C:\pt\porttune.exe' diagnose --json --threshold 100 2>/dev/null | tr -d '\r' |
  jq .time_wait.total; }
rows_now() { "$WINE" netstat -ano 2>/dev/null | grep -c TIME_WAIT; }
[ "$(tw_now)" = "$n" ] || die "porttune.exe sees $(tw_now) TIME_WAIT sockets, not $n"
[ "$(rows_now)" -ge "$n" ] || die "netstat -ano lists $(rows_now) TIME_WAIT rows, not $n"

read -r pw pc pr < <("$b/measure" "$reps" "$WINE" 'C:\pt\porttune.exe' diagnose --json --threshold 100) ||
  die "measuring porttune.exe failed"
read -r nw nc nr < <("$b/measure" "$reps" "$WINE" netstat -ano) || die "measuring netstat failed"
read -r tw tc tr_ < <("$b/measure" "$reps" "$WINE" cmd /c exit 0) || die "measuring wine cmd failed"
[ "$(tw_now)" = "$n" ] || die "TIME_WAIT sockets expired during the run"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
echo "| TIME_WAIT | command (under $("$WINE" --version)) | wall ms | CPU ms | peak RSS KiB | wall vs netstat | CPU vs netstat | RSS vs netstat |"
echo "|---|---|---|---|---|---|---|---|"
echo "| $n | \`porttune.exe diagnose --json\` | $pw | $pc | $pr | $(ratio "$pw" "$nw") | $(ratio "$pc" "$nc") | $(ratio "$pr" "$nr") |"
echo "| $n | \`netstat -ano\` (Wine's) | $nw | $nc | $nr | 1.00× | 1.00× | 1.00× |"
echo "| $n | \`cmd /c exit 0\` (Wine start-up floor) | $tw | $tc | $tr_ | $(ratio "$tw" "$nw") | $(ratio "$tc" "$nc") | $(ratio "$tr_" "$nr") |"
echo
echo "Median of $reps runs each; CPU and RSS of the Wine process (wait4), not of"
echo "wineserver or the winedevice that answers GetExtendedTcpTable; wall time"
echo "includes them. porttune.exe also runs the netsh double 4 times (ranges)."
