#!/bin/bash
# SPDX-License-Identifier: MIT
# The port-pressure diagnosis of library/porttune.exe under Wine, with real
# sockets: in a fresh network namespace (Wine 8 answers GetExtendedTcpTable
# from that namespace's /proc/net/tcp and tcp6) known loopback traffic is
# made, then `porttune.exe diagnose --json` and the porttune_info module
# entry must report exactly what was made, IPv4 and IPv6; the dynamic and
# excluded port ranges come from the netsh test double (tests/win/lib.sh).
#
#   diag.sh [EXE] [FAKE_NETSH] [HOLDER] [LINUX_PORTTUNE]
#     defaults: library/porttune.exe build/win/fake_netsh.exe
#               build/win/holder.exe library/porttune
#
# Prints PASS/FAIL per test and "N passed, N failed"; exit 1 when any failed.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
die() { echo "diag.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# Everything, wineboot included, runs in a network namespace of its own:
# Wine's TCP table is that of the namespace its services run in.
if [ "${PT_WINDIAG_IN_NS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "needs root for a network namespace (unshare -n)"
  exec env PT_WINDIAG_IN_NS=1 unshare -n bash "$0" "$@"
fi
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  die "not inside a new network namespace; refusing to write sysctls"

EXE=$(realpath "${1:-$ROOT/library/porttune.exe}")
FAKE=$(realpath "${2:-$ROOT/build/win/fake_netsh.exe}")
HOLDER=$(realpath "${3:-$ROOT/build/win/holder.exe}")
LINUX_PT=$(realpath "${4:-$ROOT/library/porttune}")
WINE=$(command -v wine || command -v wine64) || die "needs wine (sh scripts/deps.sh windows)"
for c in jq wineboot wineserver python3 ip ss x86_64-w64-mingw32-objdump; do
  command -v "$c" >/dev/null || die "needs $c"
done
for f in "$EXE" "$FAKE" "$HOLDER" "$LINUX_PT"; do [ -f "$f" ] || die "no $f"; done

# The namespace's client-port pool: the dynamic range the double reports
# (below), with the excluded ranges reserved so Linux never hands them out.
ip link set lo up
echo "40000 40999" >/proc/sys/net/ipv4/ip_local_port_range
echo "40500-40509,40600-40610,40800-40899" >/proc/sys/net/ipv4/ip_local_reserved_ports
echo 0 >/proc/sys/net/ipv4/tcp_tw_reuse

export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
WINEPREFIX=$(mktemp -d /tmp/porttune-windiag.XXXXXX) || die "mktemp failed"
export WINEPREFIX
GEN=""; HOLD=""
cleanup() {
  [ -n "$GEN" ] && kill "$GEN" 2>/dev/null
  [ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
  wineserver -k 2>/dev/null    # this prefix's server only
  rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wineboot -i >/dev/null 2>&1 || die "wineboot -i failed"
wineserver -p

C="$WINEPREFIX/drive_c/pt"
mkdir -p "$C"
cp "$EXE" "$C/porttune.exe"
cp "$HOLDER" "$C/holder.exe"
# shellcheck source=tests/win/lib.sh
. "$HERE/lib.sh"
pt_wine_install_netsh "$FAKE" "$C" || die "cannot install the netsh double"
export FAKE_NETSH_STATE='C:\pt\netsh-state.txt'
export FAKE_NETSH_LOG='C:\pt\netsh-log.txt'
export FAKE_NETSH_FAIL=""
# Dynamic range 40000-40999 for both families; excluded: the system's 5357
# and 40800-40899, an administrator's 40500-40509, porttune's 40600-40610.
printf '%s\n' "ipv4 40000 1000" "ipv6 40000 1000" excl-list "excl 5357 5357 system" \
  "excl 40500 40509 admin" "excl 40600 40610 admin" "excl 40800 40899 system" \
  >"$C/netsh-state.txt"
for fam in ipv4 ipv6; do
  "$WINE" reg add 'HKLM\SOFTWARE\porttune' /v "reserved_ports_$fam" /t REG_SZ \
    /d 40600-40610 /f >/dev/null 2>&1 || die "reg add failed"
done

# Known traffic: python (no Windows owner) and holder.exe (a Windows process).
python3 "$ROOT/tests/diag/traffic.py" "$C/ready" \
  listen:127.0.0.1:8080 listen:::1:8081 listen:127.0.0.1:40000 listen:::1:40002 \
  listen:127.0.0.1:40505 \
  hold:127.0.0.1:8080:20 hold:::1:8081:15 tw:127.0.0.1:8080:30 tw:::1:8081:40 &
GEN=$!
for _ in $(seq 200); do [ -f "$C/ready" ] && break; sleep 0.05; done
[ -f "$C/ready" ] || die "traffic generator not ready"
"$WINE" 'C:\pt\holder.exe' 127.0.0.1 8080 25 'C:\pt\holder-ready.txt' >/dev/null 2>&1 &
HOLD=$!
for _ in $(seq 400); do [ -s "$C/holder-ready.txt" ] && break; sleep 0.05; done
[ -s "$C/holder-ready.txt" ] || die "holder.exe not ready"
HOLDER_PID=$(tr -d '\r\n' <"$C/holder-ready.txt")
for _ in $(seq 100); do
  [ -z "$(ss -tanH state last-ack state close-wait state fin-wait-1 state closing)" ] && break
  sleep 0.05
done
T_TRAFFIC=$(date +%s)

OUT=""; RC=0; ERRS=()
bad() { ERRS+=("$*"); }
j() { printf '%s' "$OUT" | jq -c "$@"; }
eq() { [ "$1" = "$2" ] || bad "$3: expected '$2', got '$1'"; }
has() { case "$1" in *"$2"*) ;; *) bad "$3: expected '$2' in: $1" ;; esac; }
# TIME_WAIT lasts 60 s on Linux: a run that starts later cannot see them all.
fresh() {
  [ $(( $(date +%s) - T_TRAFFIC )) -lt 58 ] || bad "run started 58 s or more after the traffic"
}
diagnose() {
  fresh
  OUT=$("$WINE" 'C:\pt\porttune.exe' diagnose "$@" 2>"$C/stderr.txt" | tr -d '\r'); RC=$?
  printf '%s' "$OUT" | jq -e 'type == "object"' >/dev/null 2>&1 ||
    { bad "not one JSON object: $OUT $(cat "$C/stderr.txt")"; OUT='{}'; }
}
PASS=0; FAIL=0
t() {
  ERRS=()
  "$1"
  if [ ${#ERRS[@]} -eq 0 ]; then PASS=$((PASS + 1)); echo "PASS $1"
  else FAIL=$((FAIL + 1)); echo "FAIL $1"; printf '    %s\n' "${ERRS[@]}"; fi
}

# One report for the tests that only read it (each Wine run costs seconds).
REPORT=""; REPORT_RC=0
report() {
  if [ -z "$REPORT" ]; then diagnose --json --top 5 --threshold 5; REPORT=$OUT; REPORT_RC=$RC; fi
  OUT=$REPORT; RC=$REPORT_RC
}

# What was made: 60 connections held open (20 + 25 IPv4, 15 IPv6; both ends
# in the table), 70 client-side TIME_WAIT (30 IPv4, 40 IPv6), 5 listeners.
t_counts_by_state_and_destination() {
  report
  eq "$RC" 2 "exit code (the report warns)"
  eq "$(j .source)" '"GetExtendedTcpTable"' "source"
  eq "$(j .states.ESTABLISHED)" 120 "ESTABLISHED"
  eq "$(j .states.TIME_WAIT)" 70 "TIME_WAIT"
  eq "$(j .states.LISTEN)" 5 "LISTEN"
  eq "$(j .sockets)" 195 "sockets"
  eq "$(j .time_wait.total)" 70 "time_wait.total"
  eq "$(j .time_wait.max_tw_buckets)" null "no tcp_max_tw_buckets on Windows"
  eq "$(j .destinations.total)" 2 "destinations"
  eq "$(j '.destinations.top[0] | [.address, .port, .family, .ports_held, .established, .time_wait, .other]')" \
    '["127.0.0.1",8080,"ipv4",75,45,30,0]' "IPv4 destination"
  eq "$(j '.destinations.top[1] | [.address, .port, .family, .ports_held, .established, .time_wait, .other]')" \
    '["::1",8081,"ipv6",55,15,40,0]' "IPv6 destination"
  eq "$(j .destinations.sockets_outside_range)" 60 "server ends (on 8080/8081) not counted"
}

# Range 40000-40999 minus 121 excluded ports inside it; TcpTimedWaitDelay
# absent: Windows' 120 s, then the registry's value.
t_capacity_from_ranges_and_time_wait_delay() {
  diagnose --json
  eq "$(j '.capacity | [.port_range, .range_size, .reserved_in_range, .usable_ports, .time_wait_seconds, .max_new_connections_per_second]')" \
    '["40000-40999",1000,121,879,120,7.32]' "capacity with the default TIME_WAIT"
  eq "$(j .port_range.reserved_ports)" '"5357,40500-40509,40600-40610,40800-40899"' "reserved (excluded) ports"
  eq "$(j '.destinations.top[0].pct')" 8.53 "pct of usable"
  "$WINE" reg add 'HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters' /v TcpTimedWaitDelay \
    /t REG_DWORD /d 30 /f >/dev/null 2>&1 || bad "reg add"
  diagnose --json
  eq "$(j '.capacity | [.time_wait_seconds, .max_new_connections_per_second]')" '[30,29.3]' \
    "capacity with TcpTimedWaitDelay 30"
  eq "$(j '.destinations.top[0].observed_closes_per_second')" 1 "30 TIME_WAIT / 30 s"
  "$WINE" reg delete 'HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters' /v TcpTimedWaitDelay \
    /f >/dev/null 2>&1 || bad "reg delete"
}

t_owning_processes() {
  report
  eq "$(j .processes.total)" 1 "one Windows process owns held ports"
  eq "$(j '.processes.top[0] | [.pid, .ports_held, .established, .time_wait, .other]')" \
    "[$HOLDER_PID,25,25,0,0]" "holder.exe's row"
  has "$(j -r '.processes.top[0].image')" 'holder.exe' "image name"
  eq "$(j .processes.sockets_without_owner)" 105 "held ports without a Windows owner (TIME_WAIT, python)"
}

t_listeners_in_the_dynamic_range() {
  report
  eq "$(j .listeners.total)" 5 "listeners"
  eq "$(j '.listeners.in_ephemeral_range')" '[{"port":40000,"families":["ipv4"]},{"port":40002,"families":["ipv6"]}]' \
    "unprotected listeners (40505 lies in an excluded range)"
  eq "$(j .listeners.reserved_ports_advice)" '"5357,40000,40002,40500-40509,40600-40610,40800-40899"' "advice"
  has "$(j -r '.warnings | join(" | ")')" "Listening ports 40000,40002 lie inside the TCP dynamic port range 40000-40999" "warning"
  eq "$(j '[.advice[] | select(.setting == "reserved_ports") | .value]')" \
    '["5357,40000,40002,40500-40509,40600-40610,40800-40899"]' "advice entry"
}

t_excluded_ranges() {
  report
  eq "$(j '[.excluded_ranges.ranges[] | [.start, .end, .owner, .position, (.families | join("+"))]]')" \
    '[[5357,5357,"system","outside","ipv4+ipv6"],[40500,40509,"administrator","inside","ipv4+ipv6"],[40600,40610,"porttune","inside","ipv4+ipv6"],[40800,40899,"system","inside","ipv4+ipv6"]]' \
    "ranges with owner and position"
  eq "$(j .excluded_ranges.ports_in_dynamic_range)" 121 "ports in range"
  eq "$(j .excluded_ranges.free_blocks)" 4 "free blocks"
  eq "$(j .excluded_ranges.largest_free_block)" '{"start":40000,"end":40499,"ports":500}' "largest free block"
  eq "$(j .excluded_ranges.wsl_mirrored_block_free)" false "no 4096-port block"
  has "$(j -r '.warnings | join(" | ")')" "has no free block of 4096 contiguous ports" "WSL warning"
  eq "$(j '[.advice[] | select(.setting == "port_range" and (.reason | contains("4096"))) | .value]')" '["36404-40999"]' \
    "port_range that holds a free 4096 block"
}

t_threshold_advice() {
  report
  has "$(j -r '.warnings | join(" | ")')" "Destination 127.0.0.1:8080 holds 75 of 879 usable local ports" "warning"
  eq "$(j '[.advice[] | [.setting, .value]]')" \
    '[["reserved_ports","5357,40000,40002,40500-40509,40600-40610,40800-40899"],["port_range","39000-40999"],["time_wait_delay",30],["port_range","36404-40999"]]' \
    "advice values"
}

# The Linux binary reads the same namespace through sock_diag: the same
# destinations and states (its capacity differs only by TIME_WAIT seconds).
t_same_counts_as_linux() {
  local lin
  report
  lin=$("$LINUX_PT" diagnose --json --top 5 --threshold 5)
  eq "$(j '[.destinations.top[] | del(.observed_closes_per_second)]')" \
    "$(printf '%s' "$lin" | jq -c '[.destinations.top[] | del(.observed_closes_per_second)]')" "destinations"
  eq "$(j '.states | del(.NEW_SYN_RECV)')" "$(printf '%s' "$lin" | jq -c '.states | del(.NEW_SYN_RECV)')" "states"
  eq "$(j .listeners.in_ephemeral_range)" "$(printf '%s' "$lin" | jq -c .listeners.in_ephemeral_range)" "listeners"
}

# The diagnosis adds iphlpapi.dll; the .exe still imports Windows' own DLLs only.
t_imports_windows_dlls_only() {
  local dlls
  dlls=$(x86_64-w64-mingw32-objdump -p "$EXE" | awk '/DLL Name:/ { print tolower($3) }' | sort | tr '\n' ' ')
  eq "$dlls" "advapi32.dll iphlpapi.dll kernel32.dll msvcrt.dll " "imported DLLs"
}

# Every key of the Windows report is in porttune_info's RETURN docs.
t_return_docs_cover_the_report() {
  report
  printf '%s' "$OUT" | python3 -c '
import json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))["RETURN"]["port_pressure"]["contains"]
rep = json.load(sys.stdin)
missing = sorted(set(rep) - set(doc))
for key in ("processes", "excluded_ranges"):
    missing += [key + "." + k for k in sorted(set(rep[key]) - set(doc[key]["contains"]))]
print(" ".join(missing))' "$ROOT/library/porttune_info.yml" >"$C/undocumented.txt" 2>&1 || bad "check failed: $(cat "$C/undocumented.txt")"
  eq "$(cat "$C/undocumented.txt")" "" "keys the RETURN docs lack"
}

t_porttune_info_module() {
  printf '%s' '{"_ansible_module_name": "porttune_info", "top": 1, "threshold": "5", "_ansible_check_mode": true}' \
    >"$C/args.json"
  fresh
  OUT=$("$WINE" 'C:\pt\porttune.exe' 'C:\pt\args.json' 2>"$C/stderr.txt" | tr -d '\r'); RC=$?
  eq "$RC" 0 "exit code"
  eq "$(j .changed)" false "changed"
  eq "$(j .failed)" null "failed ($(j .msg))"
  eq "$(j '.port_pressure | [.states.ESTABLISHED, .states.TIME_WAIT, .states.LISTEN, (.destinations.top | length), .destinations.top[0].ports_held, .capacity.usable_ports]')" \
    '[120,70,5,1,75,879]' "port_pressure"
  eq "$(j '.port_pressure.processes.top | length')" 1 "processes top 1"
  printf '%s' '{"_ansible_module_name": "porttune_info", "source": "netlink"}' >"$C/args.json"
  OUT=$("$WINE" 'C:\pt\porttune.exe' 'C:\pt\args.json' 2>/dev/null | tr -d '\r'); RC=$?
  eq "$RC" 1 "source netlink on Windows: exit code"
  has "$(j -r .msg)" "source 'netlink' is not available on Windows" "message"
}

t_text_report() {
  local out
  out=$("$WINE" 'C:\pt\porttune.exe' diagnose --top 2 2>&1 | tr -d '\r'); RC=$?
  eq "$RC" 2 "exit code"
  has "$out" "TCP sockets (source: GetExtendedTcpTable)" "header"
  has "$out" "127.0.0.1:8080" "destination"
  has "$out" "holder.exe" "owning process"
  has "$out" "largest free block 40000-40499 (500 ports)" "excluded ranges"
}

for name in t_counts_by_state_and_destination t_owning_processes \
  t_listeners_in_the_dynamic_range t_excluded_ranges t_threshold_advice \
  t_same_counts_as_linux t_return_docs_cover_the_report t_porttune_info_module t_capacity_from_ranges_and_time_wait_delay \
  t_text_report t_imports_windows_dlls_only; do
  t "$name"
done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
