#!/bin/bash
# SPDX-License-Identifier: MIT
# Bench (not a test): `porttune.exe diagnose --json` next to `netstat -ano`,
# both run by the same Wine in one prefix, at N client-side TIME_WAIT sockets
# (default 20000) made in a network namespace of its own (Wine reads that
# namespace's TCP table). Prints one Markdown table: median wall and CPU time
# and peak RSS of REPS runs each (bench/diag/measure.c), and the ratios.
#
#   run.sh [N] [REPS]      REPS default 1; needs root (unshare -n), Wine, build/diag/{measure,twgen},
#                          library/porttune.exe, build/win/fake_netsh.exe
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
n=${1:-20000}
reps=${2:-1}
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

# The double's default dynamic range 49152-65535, with one excluded port
# outside it (5357): a report without warnings (exit 0, as measure wants)
# and the same ports Linux hands out.
ip link set lo up
echo "49152 65535" >/proc/sys/net/ipv4/ip_local_port_range
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
printf '%s\n' excl-list "excl 5357 5357 system" >"$C/netsh-state.txt"
# Warm-up: Wine loads its DLLs once into the page cache.
"$WINE" 'C:\pt\porttune.exe' diagnose --json >/dev/null 2>&1
"$WINE" netstat -ano >/dev/null 2>&1

# fresh: waits until the last batch of TIME_WAIT sockets is gone (60 s on
# Linux), then makes N new ones: each command sees exactly N.
fresh() {
  for _ in $(seq 140); do
    [ "$(ss -tanH state time-wait | wc -l)" = 0 ] && break
    sleep 0.5
  done
  "$b/twgen" "$n" 5 8080 || die "twgen failed"
  [ "$(ss -tanH state time-wait | wc -l)" = "$n" ] || die "twgen left $(ss -tanH state time-wait | wc -l) TIME_WAIT sockets"
}
# run LABEL OUTFILE CMD...: one measured run (stdout to OUTFILE, inside the
# measured shell), its row in $rows.
declare -a rows
run() {
  local label=$1 out=$2 wall cpu rss; shift 2
  fresh
  read -r wall cpu rss < <("$b/measure" "$reps" sh -c '"$@" >"$0"' "$out" "$@") ||
    die "measuring $label failed"
  rows+=("$label|$wall|$cpu|$rss")
}
# Wine builds the table while it reads /proc/net/tcp, finding each row's
# owner on the way; sockets that leave TIME_WAIT meanwhile are not seen, so
# the rows seen are printed, not required.
run '`porttune.exe diagnose --json`' "$C/diag.json" "$WINE" 'C:\pt\porttune.exe' diagnose --json --threshold 100
seen=("$(tr -d '\r' <"$C/diag.json" | jq .time_wait.total)")
run '`netstat -ano`' "$C/netstat.txt" "$WINE" netstat -ano
seen+=("$(grep -c TIME_WAIT "$C/netstat.txt")")
run '`cmd /c exit 0` (Wine start-up floor)' /dev/null "$WINE" cmd /c exit 0
seen+=("-")

IFS='|' read -r _ nw nc nr <<<"${rows[1]}"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
echo "| TIME_WAIT made | seen | command ($("$WINE" --version)) | wall ms | CPU ms | peak RSS KiB | wall vs netstat | CPU vs netstat | RSS vs netstat |"
echo "|---|---|---|---|---|---|---|---|---|"
for i in "${!rows[@]}"; do
  IFS='|' read -r label w c m <<<"${rows[$i]}"
  echo "| $n | ${seen[$i]} | $label | $w | $c | $m | $(ratio "$w" "$nw") | $(ratio "$c" "$nc") | $(ratio "$m" "$nr") |"
done
echo
echo "Median of $reps run(s) each, N fresh TIME_WAIT sockets before each (the"
echo "last batch expired first). CPU and RSS: the Wine process (wait4), not"
echo "wineserver or the winedevice.exe that builds the table. porttune.exe"
echo "also runs the netsh double 4 times. Wine's netstat has no owner column"
echo "(its header: $(tr -d '\r' <"$C/netstat.txt" | grep -m1 -i 'proto' | tr -s ' ' | sed 's/^ //'))."
